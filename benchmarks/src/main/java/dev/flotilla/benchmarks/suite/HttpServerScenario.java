package dev.flotilla.benchmarks.suite;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.discovery.StaticDiscovery;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.core.internal.JsonMapping;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
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
    private final ObjectMapper mapper = JsonMapping.newMapper();
    private ServiceRuntime runtime;
    private WebServer bare;
    private URI flotillaUri;
    private URI bareUri;
    private WebClient driverFlotilla;
    private WebClient driverBare;
    private ServiceClients clients;
    private PriceApi typed;
    private WebClient raw;

    HttpServerScenario(boolean clientSide, int callers, Duration window) {
        super(window);
        this.clientSide = clientSide;
        this.callers = callers;
    }

    @Override
    void setUp() throws Exception {
        runtime = ServiceRuntime.builder().addService(new PriceService(), LOCAL).build();
        runtime.start();
        flotillaUri = runtime.service("price-service").uri();
        if (clientSide) {
            clients = ServiceClients.builder()
                    .discovery(StaticDiscovery.of(Map.of("price-service", List.of(flotillaUri))))
                    .build();
            typed = clients.create(PriceApi.class, "price-service");
            raw = WebClient.builder()
                    .baseUri(flotillaUri)
                    .mediaContext(JsonMapping.mediaContext(mapper))
                    .shareConnectionCache(false)
                    .addProtocolPreference(List.of("http/1.1"))
                    .build();
            if (!typed.price(42).equals(rawPrice())) {
                throw new IllegalStateException("typed and raw clients disagree");
            }
            return;
        }
        bare = WebServer.builder()
                .port(0)
                .host("127.0.0.1")
                .routing(r -> r.get("/v1/prices/{id}", (req, res) -> {
                    long id = Long.parseLong(req.path().pathParameters().get("id"));
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send(mapper.writeValueAsBytes(new PriceApi.Price(id, "EUR", 1999)));
                }))
                .build()
                .start();
        bareUri = URI.create("http://127.0.0.1:" + bare.port());
        driverFlotilla = driver(flotillaUri);
        driverBare = driver(bareUri);
        String a = get(driverFlotilla);
        String b = get(driverBare);
        if (!mapper.readTree(a).equals(mapper.readTree(b))) {
            throw new IllegalStateException("the two servers answer differently: " + a + " vs " + b);
        }
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
        try (HttpClientResponse response = raw.get("/v1/prices/42").request()) {
            return response.as(PriceApi.Price.class);
        }
    }

    @Override
    void measure(Side side) throws Exception {
        ClosedLoop.Load load;
        if (clientSide) {
            load = ClosedLoop.run(callers, window, side == Side.RAW ? this::rawPrice : () -> typed.price(42));
        } else {
            WebClient client = side == Side.RAW ? driverBare : driverFlotilla;
            load = ClosedLoop.run(callers, window, () -> get(client));
        }
        String prefix = clientSide ? "1" : "0";
        report(prefix + ".throughput", side, load.throughput());
        report(prefix + ".p99", side, millis(load.p99Nanos()));
    }

    @Override
    void finish() {
        String prefix = clientSide ? "1" : "0";
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
    public void close() {
        if (clients != null) {
            clients.close();
        }
        for (WebClient c : new WebClient[] {raw, driverBare, driverFlotilla}) {
            if (c != null) {
                c.closeResource();
            }
        }
        if (bare != null) {
            bare.stop();
        }
        runtime.stop();
    }
}
