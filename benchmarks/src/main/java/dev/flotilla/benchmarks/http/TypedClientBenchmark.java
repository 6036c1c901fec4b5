package dev.flotilla.benchmarks.http;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.discovery.StaticDiscovery;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.benchmarks.RawJson;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRules;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * A GET of a small JSON body through Flotilla's typed client (discovery, round robin, retry, per-instance circuit
 * breaker, timeout, context propagation, JSON binding) against raw Helidon WebClient reading the same JSON into the
 * same record, against the same Flotilla-served endpoint, same JVM and run, at 4 concurrent callers. Both use
 * HTTP/1.1 with keep-alive and a connection pool of their own.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TypedClientBenchmark -f 1 -wi 4 -w 3s -i 5 -r 3s
 * </pre>
 * <p>Four warm-up iterations: after two, the first measured iterations still run at about 60 % of the steady rate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(4)
public class TypedClientBenchmark {

    /** The contract under test. */
    public interface PriceApi {
        /** A price. */
        record Price(long productId, String currency, long amountCents) {
        }

        @Get("/v1/prices/{id}")
        Price price(@PathParam("id") long id);
    }

    /** Serves {@link PriceApi}. */
    static final class PriceService extends Service {
        PriceService() {
            super("price-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(PriceApi.class, id -> new PriceApi.Price(id, "EUR", 1999)));
        }
    }

    private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(2);

    private ServiceRuntime runtime;
    private ServiceClients clients;
    private PriceApi typed;
    private WebClient raw;

    /** Starts the service, the typed client and the raw client. */
    @Setup(Level.Trial)
    public void start() {
        runtime = ServiceRuntime.builder()
                .addService(new PriceService(), Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                       "shutdown.grace-period", "PT0S"))
                .build();
        runtime.start();
        URI uri = runtime.service("price-service").uri();
        clients = ServiceClients.builder()
                .discovery(StaticDiscovery.of(Map.of("price-service", List.of(uri))))
                .build();
        typed = clients.create(PriceApi.class, "price-service");
        raw = WebClient.builder()
                .baseUri(uri)
                .mediaContext(RawJson.media(RawJson.mapper()))
                .shareConnectionCache(false)
                .build();
        if (!typed.price(42).equals(rawPrice())) {
            throw new IllegalStateException("typed and raw clients disagree");
        }
    }

    /** Stops everything. */
    @TearDown(Level.Trial)
    public void stop() {
        clients.close();
        raw.closeResource();
        runtime.stop();
    }

    /**
     * A call through the typed client.
     *
     * @return the price, consumed by JMH
     */
    @Benchmark
    public PriceApi.Price typedClient() {
        return typed.price(42);
    }

    /**
     * The same call with raw Helidon WebClient.
     *
     * @return the price, consumed by JMH
     */
    @Benchmark
    public PriceApi.Price rawWebClient() {
        return rawPrice();
    }

    /**
     * The same call with raw Helidon WebClient and the read timeout the typed client sets (its default 2 s).
     *
     * @return the price, consumed by JMH
     */
    @Benchmark
    public PriceApi.Price rawWebClientWithTimeout() {
        try (HttpClientResponse response = raw.get("/v1/prices/42").readTimeout(TIMEOUT).request()) {
            return response.as(PriceApi.Price.class);
        }
    }

    private PriceApi.Price rawPrice() {
        try (HttpClientResponse response = raw.get("/v1/prices/42").request()) {
            return response.as(PriceApi.Price.class);
        }
    }
}
