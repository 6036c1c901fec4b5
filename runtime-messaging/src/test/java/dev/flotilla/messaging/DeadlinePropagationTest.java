package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.messaging.TestEvents.Price;
import dev.flotilla.messaging.TestEvents.PriceQuery;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deadline set by an HTTP caller travels HTTP -> NATS -> HTTP through real servers: the caller asks the front
 * service over HTTP with {@code X-Request-Deadline-Ms}; the front asks the pricing service over NATS request-reply;
 * pricing's responder calls the stock service through a typed HTTP client. Each hop sees what is left of the
 * caller's budget, and a budget that runs out ends in a 504 for the caller without running the responder.
 */
class DeadlinePropagationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SUBJECT = "deadline.quote.v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The stock service's contract, called by pricing's responder. */
    public interface StockApi {
        /** Units in stock. */
        record Stock(String sku, int units) {
        }

        @Get("/stock/{sku}")
        Stock level(@PathParam("sku") String sku);
    }

    /** The remaining deadline of the current context in milliseconds, or -1 when there is none. */
    private static long deadlineSeen() {
        return CallContext.current().flatMap(CallContext::deadline).map(d -> d.remaining().toMillis()).orElse(-1L);
    }

    /** A: answers {@code GET /quote/{sku}} by asking pricing over NATS, with a request timeout of 10 s. */
    static final class FrontService extends Service {
        FrontService() {
            super("front", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.get("/quote/{sku}", (req, res) -> {
                Price price = context.extension(Messaging.class).request(SUBJECT,
                        new PriceQuery(req.path().pathParameters().get("sku")), Price.class, Duration.ofSeconds(10));
                res.send(Long.toString(price.cents()));
            });
        }
    }

    /** B: answers quotes with two workers; a "busy" quote holds its worker until the test releases it. */
    static final class PricingService extends Service {
        final Queue<String> ran = new ConcurrentLinkedQueue<>();
        final Queue<Long> deadlines = new ConcurrentLinkedQueue<>();
        volatile CountDownLatch busy = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);

        PricingService() {
            super("pricing", "1.0.0");
        }

        @Override
        protected void start(ServiceContext context) {
            StockApi stock = context.client(StockApi.class, "stock");
            context.extension(Messaging.class).respond(SUBJECT, PriceQuery.class,
                    SubscriptionOptions.builder().concurrency(2).build(), q -> {
                        String sku = q.payload().sku();
                        ran.add(sku);
                        if (sku.startsWith("busy")) {
                            busy.countDown();
                            release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                            return new Price(sku, 0);
                        }
                        deadlines.add(deadlineSeen());
                        return new Price(sku, stock.level(sku).units() * 100L);
                    });
        }
    }

    /** C: serves {@link StockApi} over HTTP and records the deadline of each call. */
    static final class StockService extends Service {
        final Queue<Long> deadlines = new ConcurrentLinkedQueue<>();

        StockService() {
            super("stock", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(StockApi.class, new StockApi() {
                @Override
                public Stock level(String sku) {
                    deadlines.add(deadlineSeen());
                    return new Stock(sku, 7);
                }
            }));
        }
    }

    private static NatsServer nats;
    private static ServiceRuntime runtime;
    private static final PricingService PRICING = new PricingService();
    private static final StockService STOCK = new StockService();
    private static URI front;

    @BeforeAll
    static void start() {
        nats = NatsServer.start();
        Map<String, String> http = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                          "shutdown.grace-period", "PT0S");
        Map<String, String> messaging = new java.util.HashMap<>(http);
        messaging.put("messaging.nats.servers", nats.url());
        runtime = ServiceRuntime.builder()
                .addService(new FrontService(), messaging)
                .addService(PRICING, messaging)
                .addService(STOCK, http)
                .build();
        runtime.start();
        front = runtime.service("front").uri();
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    @BeforeEach
    void clear() {
        PRICING.ran.clear();
        PRICING.deadlines.clear();
        STOCK.deadlines.clear();
    }

    private static HttpResponse<String> quote(String sku, String deadlineMillis) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(front.resolve("/quote/" + sku)).timeout(WAIT);
        if (deadlineMillis != null) {
            request.header(CallContext.DEADLINE_HEADER, deadlineMillis);
        }
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static void assertDeadlineExceeded(HttpResponse<String> response) throws Exception {
        assertEquals(504, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals("urn:flotilla:problem:deadline-exceeded", problem.get("type").asText(), response.body());
        assertEquals(response.uri().getPath(), problem.get("instance").asText());
    }

    @Test
    void eachHopSeesWhatIsLeftOfTheCallersBudget() throws Exception {
        HttpResponse<String> response = quote("sku-1", "5000");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("700", response.body());
        long atPricing = PRICING.deadlines.remove();
        long atStock = STOCK.deadlines.remove();
        assertTrue(0 < atPricing && atPricing < 5_000, "pricing's deadline derived from the caller's: " + atPricing);
        assertTrue(0 < atStock && atStock <= atPricing, "stock's deadline derived from pricing's: " + atStock
                + " <= " + atPricing);
    }

    @Test
    void withoutABudgetNoHopHasADeadline() throws Exception {
        HttpResponse<String> response = quote("sku-2", null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of(-1L), List.copyOf(PRICING.deadlines));
        assertEquals(List.of(-1L), List.copyOf(STOCK.deadlines));
    }

    @Test
    void noTimeLeftIsAGatewayTimeoutAndTheRequestIsNeverSent() throws Exception {
        long expiredBefore = pricingStats().expired();

        assertDeadlineExceeded(quote("sku-3", "0"));

        assertEquals(List.of(), List.copyOf(PRICING.ran), "the responder was not called");
        assertEquals(expiredBefore, pricingStats().expired(), "nothing was sent, so nothing expired at pricing");
    }

    @Test
    void aRequestQueuedPastItsBudgetIsAGatewayTimeoutAndNeverRuns() throws Exception {
        PRICING.busy = new CountDownLatch(2);
        PRICING.release = new CountDownLatch(1);
        long expiredBefore = pricingStats().expired();
        Messaging frontMessaging = runtime.service("front").context().extension(Messaging.class);
        CompletableFuture<Price> busy1 = frontMessaging.requestAsync(SUBJECT, new PriceQuery("busy-1"), Price.class,
                                                                     WAIT);
        CompletableFuture<Price> busy2 = frontMessaging.requestAsync(SUBJECT, new PriceQuery("busy-2"), Price.class,
                                                                     WAIT);
        HttpResponse<String> response;
        long took;
        try {
            Await.until(WAIT, () -> PRICING.busy.getCount() == 0, "both of pricing's workers busy");
            long start = System.nanoTime();
            response = quote("sku-4", "300");
            took = System.nanoTime() - start;
        } finally {
            PRICING.release.countDown();
        }

        assertDeadlineExceeded(response);
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(290), "the front waited its budget out: " + took);
        busy1.join();
        busy2.join();
        Await.until(WAIT, () -> pricingStats().expired() == expiredBefore + 1,
                    () -> "the queued request expired at pricing: " + pricingStats());
        assertEquals(List.of("busy-1", "busy-2"), List.copyOf(PRICING.ran).stream().sorted().toList(),
                     "the expired request never reached the responder");
        assertEquals(List.of(), List.copyOf(STOCK.deadlines), "nor the service it would have called");
    }

    private static Messaging.Stats pricingStats() {
        return runtime.service("pricing").context().extension(Messaging.class).stats();
    }
}
