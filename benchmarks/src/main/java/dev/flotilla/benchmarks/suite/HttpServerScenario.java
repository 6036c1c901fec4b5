package dev.flotilla.benchmarks.suite;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.discovery.StaticDiscovery;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.benchmarks.RawJson;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRules;

/**
 * Scenarios 0 and 1, both against a service that serves {@code GET /v1/prices/{id}} with a small JSON record.
 * <ul>
 *   <li>{@code server}: the endpoint bound from a contract interface in a Flotilla service (error handling, MDC,
 *   correlation, metrics on, as by default) against a bare Helidon routing handler that writes the same JSON with the
 *   same mapper; the same raw-WebClient load generator drives both at fixed concurrency.</li>
 *   <li>{@code client}: the typed client against raw Helidon WebClient reading the same record, both calling the
 *   same Flotilla service at fixed concurrency.</li>
 * </ul>
 * The servers run in a JVM of their own ({@link PriceServers}), the load generator and the clients under test in
 * this one; the two sides run interleaved in slices of {@link #SLICE} ({@link ClosedLoop#interleaved}).
 */
final class HttpServerScenario extends HarnessScenario {

    /** The contract under test. */
    public interface PriceApi {
        /** A price. */
        record Price(long productId, String currency, long amountCents) {
        }

        /**
         * A price by product id.
         *
         * @param id the product id
         * @return the price
         */
        @Get("/v1/prices/{id}")
        Price price(@PathParam("id") long id);
    }

    static final class PriceService extends Service {
        PriceService() {
            super("price-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(PriceApi.class, id -> new PriceApi.Price(id, "EUR", 1999)));
        }
    }

    static final Map<String, String> LOCAL = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                    "shutdown.grace-period", "PT0S");

    private final boolean clientSide;
    private final int callers;
    private final ObjectMapper mapper = RawJson.mapper();
    private PriceServers servers;
    private URI flotillaUri;
    private URI bareUri;
    private WebClient driverFlotilla;
    private WebClient driverBare;
    private ServiceClients clients;
    private PriceApi typed;
    private WebClient raw;
    private final boolean aa;
    private WebClient rawAgain;

    /**
     * @param clientSide scenario 1 (typed client against raw WebClient) rather than 0 (contract endpoint against bare
     *                   handler)
     * @param callers    concurrent callers
     * @param window     each side's measured time per round
     * @param aa         an A/A check of the method: the "Flotilla" side does what the raw side does (scenario 0: the
     *                   same bare handler through a second load-generator client; scenario 1: a second raw WebClient),
     *                   so every ratio should be 1 and its spread is the method's own noise
     */
    HttpServerScenario(boolean clientSide, int callers, Duration window, boolean aa) {
        super(window);
        this.clientSide = clientSide;
        this.callers = callers;
        this.aa = aa;
    }

    @Override
    void setUp() throws Exception {
        servers = PriceServers.fork();
        flotillaUri = servers.flotilla;
        bareUri = servers.bare;
        if (clientSide) {
            clients = ServiceClients.builder()
                    .discovery(StaticDiscovery.of(Map.of("price-service", List.of(flotillaUri))))
                    .build();
            typed = clients.create(PriceApi.class, "price-service");
            raw = rawClient();
            rawAgain = rawClient();
            if (!typed.price(42).equals(rawPrice())) {
                throw new IllegalStateException("typed and raw clients disagree");
            }
            warmUp();
            return;
        }
        driverFlotilla = driver(aa ? bareUri : flotillaUri);
        driverBare = driver(bareUri);
        String a = get(driverFlotilla);
        String b = get(driverBare);
        if (!mapper.readTree(a).equals(mapper.readTree(b))) {
            throw new IllegalStateException("the two servers answer differently: " + a + " vs " + b);
        }
        warmUp();
    }

    /**
     * Both sides for {@link #EXTRA_WARM_UP} before the harness's warm-up round: the servers' JVM is still compiling
     * after one round (its CPU per request fell by a third or more from the first measured round to the third).
     */
    private void warmUp() throws InterruptedException {
        ClosedLoop.interleaved(callers, EXTRA_WARM_UP, SLICE, call(Side.RAW), call(Side.FLOTILLA), null);
    }

    static final Duration EXTRA_WARM_UP = Duration.ofSeconds(6);

    private WebClient rawClient() {
        return WebClient.builder()
                .baseUri(flotillaUri)
                .mediaContext(RawJson.media(mapper))
                .shareConnectionCache(false)
                .addProtocolPreference(List.of("http/1.1"))
                .build();
    }

    private static String get(WebClient client) {
        try (HttpClientResponse response = client.get("/v1/prices/42").request()) {
            if (response.status().code() != 200) {
                throw new IllegalStateException("status " + response.status());
            }
            return response.as(String.class);
        }
    }

    private PriceApi.Price rawPrice() {
        return price(raw);
    }

    private PriceApi.Price rawPriceAgain() {
        return price(rawAgain);
    }

    private static PriceApi.Price price(WebClient client) {
        try (HttpClientResponse response = client.get("/v1/prices/42").request()) {
            return response.as(PriceApi.Price.class);
        }
    }

    /** The two sides interleaved in slices of {@link #SLICE}. */
    @Override
    void measureBoth(Side first, Side second) throws Exception {
        // scenario 0 counts the servers' CPU (their own JVM), scenario 1 the callers' (this JVM, load generator included)
        java.util.function.LongSupplier cpu = clientSide ? HarnessScenario::ownCpuNanos : servers::cpuNanos;
        ClosedLoop.Load[] loads = ClosedLoop.interleaved(callers, window, SLICE, call(first), call(second), cpu);
        report(first, loads[0]);
        report(second, loads[1]);
    }

    private ClosedLoop.Call call(Side side) {
        if (clientSide) {
            if (side == Side.RAW) {
                return this::rawPrice;
            }
            return aa ? this::rawPriceAgain : () -> typed.price(42);
        }
        WebClient client = side == Side.RAW ? driverBare : driverFlotilla;
        return () -> get(client);
    }

    private void report(Side side, ClosedLoop.Load load) {
        String prefix = clientSide ? "1" : "0";
        report(prefix + ".throughput", side, load.throughput());
        report(prefix + ".p99", side, millis(load.p99Nanos()));
        report(prefix + ".cpu", side, load.cpuMicrosPerCall());
    }

    @Override
    void finish() {
        String prefix = clientSide ? "1" : "0";
        if (aa) {
            note(prefix + ".throughput", "A/A check: both sides raw (" + (clientSide ? "two raw WebClients"
                    : "the bare handler through two load-generator clients") + ")");
        }
        if (clientSide) {
            note(prefix + ".throughput", "HTTP/1.1, " + callers + " callers; connections opened to the server over "
                    + "the whole run by both clients together (two pools): "
                    + connections(flotillaUri.getPort()));
        } else {
            note(prefix + ".throughput", "HTTP/1.1, " + callers + " callers; connections opened over the whole run: "
                    + "Flotilla " + connections(flotillaUri.getPort()) + ", bare "
                    + connections(bareUri.getPort()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (clients != null) {
            clients.close();
        }
        for (WebClient c : new WebClient[] {raw, rawAgain, driverBare, driverFlotilla}) {
            if (c != null) {
                c.closeResource();
            }
        }
        if (servers != null) {
            servers.close();
        }
    }
}
