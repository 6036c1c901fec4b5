package dev.flotilla.core.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.discovery.StaticDiscovery;
import dev.flotilla.resilience.Deadline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A contract served by one service and called by another, over real servers in one runtime. */
class TypedClientTest {
    private static ServiceRuntime runtime;
    private static CatalogServer catalog;
    private static CatalogApi client;
    private static ServiceContext shop;

    @BeforeAll
    static void start() {
        catalog = new CatalogServer();
        Map<String, String> ephemeral = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                               "shutdown.grace-period", "PT0S",
                                               // the slow handlers of the timeout test need not finish
                                               "shutdown.drain-timeout", "PT0.5S");
        runtime = ServiceRuntime.builder()
                .addService(catalog, ephemeral)
                .addService(new ShopServer(), Map.of(
                        "server.port", "0", "server.host", "127.0.0.1", "shutdown.grace-period", "PT0S",
                        "resilience.catalog-service.timeout.duration", "PT0.5S",
                        "resilience.catalog-service.retry.delay", "PT0.01S",
                        "resilience.catalog-service.retry.max-delay", "PT0.02S"))
                .build();
        runtime.start();
        shop = runtime.service("shop-service").context();
        client = shop.client(CatalogApi.class, "catalog-service");
    }

    @AfterAll
    static void stop() {
        runtime.stop();
    }

    @Test
    void roundTripsEveryAnnotationAndReturnType() throws Exception {
        CatalogApi.Item pen = client.create(new CatalogApi.NewItem("pen", 3));
        assertEquals(new CatalogApi.Item(pen.id(), "pen", 3), pen);
        assertEquals(pen, client.get(pen.id()));
        assertEquals(Optional.of(pen), client.find(pen.id()));
        assertEquals(Optional.empty(), client.find(999_999), "404 becomes an empty Optional");

        List<CatalogApi.Item> pens = client.list("pen", List.of("red", "blue"), "acme");
        assertTrue(pens.contains(pen));
        assertEquals("acme", catalog.resource.lastTenant);
        assertEquals(List.of("red", "blue"), catalog.resource.lastTags);

        CatalogApi.Item ink = client.replace(pen.id(), new CatalogApi.NewItem("ink", 5));
        assertEquals("ink", ink.name());

        HttpResult<CatalogApi.Item> renamed = client.rename(pen.id(), "quill");
        assertEquals(200, renamed.status());
        assertEquals("quill", renamed.body().orElseThrow().name());
        assertEquals(Optional.of("ink"), renamed.header("x-renamed-from"));

        assertEquals("quill", client.getAsync(pen.id()).get(5, TimeUnit.SECONDS).name());
        assertEquals("quill", client.getOrPlaceholder(pen.id()).name(), "default methods call through");

        client.delete(pen.id());
        assertEquals(Optional.empty(), client.find(pen.id()));
        assertEquals("placeholder", client.getOrPlaceholder(pen.id()).name());
    }

    @Test
    void createAnswers201() throws Exception {
        URI base = runtime.service("catalog-service").uri();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base.resolve("/v1/items")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"cup\",\"quantity\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode());
        assertEquals("beside the contract", HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base.resolve("/hand-written")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), "hand-written routes work beside a contract");
    }

    @Test
    void problemDetailsArriveAsTypedExceptions() {
        RemoteNotFoundException notFound = assertThrows(RemoteNotFoundException.class, () -> client.get(424_242));
        assertEquals(404, notFound.status());
        assertEquals("urn:flotilla:problem:not-found", notFound.problem().type().toString());
        assertEquals("No item with id 424242", notFound.problem().detail());
        assertEquals("catalog-service", notFound.service());

        RemoteConflictException conflict = assertThrows(RemoteConflictException.class, client::conflict);
        assertEquals("Item already exists", conflict.problem().detail());

        RemoteProblemException unprocessable = assertThrows(RemoteProblemException.class, client::unprocessable);
        assertEquals(422, unprocessable.status());
        assertEquals("urn:flotilla:problem:unknown-user", unprocessable.problem().type().toString());
        assertEquals(7, unprocessable.problem().extensions().get("userId"));

        assertThrows(RemoteUnavailableException.class, () -> client.flakyPost("always", 100));
    }

    @Test
    void slowDownstreamTimesOut() {
        long start = System.nanoTime();
        ServiceTimeoutException e = assertThrows(ServiceTimeoutException.class, () -> client.slow(20_000));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // Three attempts of 0.5 s each; the bound only tells "gave up" from "waited for the 20 s answer".
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "gave up before the slow answer: " + took);
        assertTrue(e.getMessage().contains("catalog-service"), e.getMessage());
    }

    @Test
    void retriesGetButNeverPost() {
        assertEquals("ok after 2 failures", client.flakyGet("retry-get", 2));
        assertEquals(3, catalog.resource.calls("GET retry-get"));

        assertThrows(RemoteUnavailableException.class, () -> client.flakyPost("no-retry-post", 2));
        assertEquals(1, catalog.resource.calls("POST no-retry-post"), "a POST is never repeated");
    }

    @Test
    void propagatesCorrelationTraceAndDeadline() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        CallContext context = CallContext.of("shop-service", "order-77")
                .withTrace(traceparent, "vendor=1")
                .withDeadline(Deadline.after(Duration.ofSeconds(3)));
        Map<String, String> seen;
        CallContext.Scope scope = context.open();
        try {
            seen = client.echo("a b?c&d#e%f");
        } finally {
            scope.close();
        }
        assertEquals("a b?c&d#e%f", seen.get("text"), "path variables are encoded and decoded");
        assertEquals("order-77", seen.get("correlationId"));
        // The catalog's server span is a child in the same trace: same trace id, a span id of its own.
        String received = seen.get("traceparent");
        assertEquals(traceparent.substring(0, 36), received.substring(0, 36), received);
        assertFalse(received.substring(36, 52).equals(traceparent.substring(36, 52)), received);
        long deadlineMs = Long.parseLong(seen.get("deadlineMs"));
        assertTrue(deadlineMs > 0 && deadlineMs <= 3_000, "remaining deadline sent: " + deadlineMs);
    }

    @Test
    void asyncCallsCarryTheCallersContext() throws Exception {
        CallContext.Scope scope = CallContext.of("shop-service", "async-order-1").open();
        CompletableFuture<Map<String, String>> seen;
        try {
            seen = client.echoAsync("x");
        } finally {
            scope.close();
        }
        assertEquals("async-order-1", seen.get(5, TimeUnit.SECONDS).get("correlationId"));
    }

    @Test
    void pathVariableWithSlashIsRefusedBeforeSending() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.echo("a/b"));
        assertEquals("Path parameter 'text' must be a non-empty path segment without '/', was 'a/b'\n"
                             + "    for method CatalogApi.echo (GET /v1/echo/{text})", e.getMessage());
    }

    @Test
    void expiredDeadlineFailsWithoutCalling() {
        int before = catalog.resource.calls("get");
        CallContext.Scope scope = CallContext.of("shop-service", "late").withDeadline(Deadline.after(Duration.ZERO))
                .open();
        try {
            assertThrows(ServiceTimeoutException.class, () -> client.get(1));
        } finally {
            scope.close();
        }
        assertEquals(before, catalog.resource.calls("get"));
    }

    @Test
    void unknownServiceIsUnreachable() {
        CatalogApi nowhere = shop.client(CatalogApi.class, "no-such-service");
        ServiceUnreachableException e = assertThrows(ServiceUnreachableException.class, () -> nowhere.get(1));
        assertTrue(e.getMessage().contains("no-such-service"), e.getMessage());
    }

    @Test
    void standaloneClientsUseStaticDiscovery() {
        try (ServiceClients clients = ServiceClients.builder()
                .discovery(StaticDiscovery.of(Map.of("catalog-service",
                                                     List.of(runtime.service("catalog-service").uri()))))
                .build()) {
            CatalogApi standalone = clients.create(CatalogApi.class, "catalog-service");
            CatalogApi.Item cup = standalone.create(new CatalogApi.NewItem("mug", 2));
            assertEquals(cup, standalone.get(cup.id()));
            assertFalse(standalone.toString().isBlank());
        }
    }

    @Test
    void servedParametersThatDoNotConvertAre400() throws Exception {
        URI base = runtime.service("catalog-service").uri();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> badPath = http.send(HttpRequest.newBuilder(base.resolve("/v1/items/abc")).build(),
                                                 HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badPath.statusCode());
        assertTrue(badPath.body().contains("Path parameter 'id' is invalid"), badPath.body());

        HttpResponse<String> badQuery = http.send(HttpRequest.newBuilder(base.resolve("/v1/slow?ms=soon")).build(),
                                                  HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badQuery.statusCode());
        assertTrue(badQuery.body().contains("Query parameter 'ms' is invalid"), badQuery.body());

        HttpResponse<String> noBody = http.send(HttpRequest.newBuilder(base.resolve("/v1/items"))
                                                        .header("Content-Type", "application/json")
                                                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                                                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, noBody.statusCode());
        assertTrue(noBody.body().contains("A request body is required"), noBody.body());
    }
}
