package dev.flotilla.core.http;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.failsafe.CircuitBreaker;
import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.discovery.StaticDiscovery;
import dev.flotilla.resilience.Resilience;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several instances of a downstream: round robin, breakers per instance, failover, restarts. */
class FailoverTest {
    private static final CatalogApi.Item ITEM = new CatalogApi.Item(1, "pen", 3);

    private static Map<String, String> server() {
        return Map.of("server.port", "0", "server.host", "127.0.0.1", "shutdown.grace-period", "PT0S");
    }

    private static Map<String, String> resilienceSettings() {
        return resilienceSettings("PT60S");
    }

    private static Map<String, String> resilienceSettings(String openDelay) {
        Map<String, String> settings = new HashMap<>();
        settings.put("catalog-service.timeout.duration", "PT1S");
        settings.put("catalog-service.retry.delay", "PT0.01S");
        settings.put("catalog-service.retry.max-delay", "PT0.02S");
        settings.put("catalog-service.circuit-breaker.window-size", "4");
        settings.put("catalog-service.circuit-breaker.minimum-calls", "4");
        settings.put("catalog-service.circuit-breaker.open-delay", openDelay);
        settings.put("catalog-service.retry-budget.min-per-second", "1000");
        return settings;
    }

    /** The server settings of {@link #server()} on a fixed port, for a test that restarts the service there. */
    private static Map<String, String> serverOn(int port) {
        Map<String, String> fixedPort = new HashMap<>(server());
        fixedPort.put("server.port", String.valueOf(port));
        return fixedPort;
    }

    /** Discovery that always lists the catalog at the fixed port, up or down. */
    private static StaticDiscovery catalogAt(int port) {
        return StaticDiscovery.of(Map.of("catalog-service", List.of(URI.create("http://127.0.0.1:" + port))));
    }

    private static Resilience resilience() {
        return resilience("PT60S");
    }

    private static Resilience resilience(String openDelay) {
        Map<String, String> prefixed = new HashMap<>();
        resilienceSettings(openDelay).forEach((k, v) -> prefixed.put("resilience." + k, v));
        return Resilience.create(Config.just(ConfigSources.create(prefixed)).get("resilience"));
    }

    private static Map<String, String> shop() {
        Map<String, String> config = new HashMap<>(server());
        resilienceSettings().forEach((k, v) -> config.put("resilience." + k, v));
        return config;
    }

    @Test
    void breakerOpensOnAFailingInstanceAndCallsGoToTheHealthyOne() {
        CatalogServer failing = new CatalogServer();
        CatalogServer healthy = new CatalogServer();
        failing.resource.items.put(1L, ITEM);
        healthy.resource.items.put(1L, ITEM);
        failing.resource.broken.set(true);
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(failing, server())
                .addService(healthy, server())
                .addService(new ShopServer(), shop())
                .build()) {
            runtime.start();
            CatalogApi client = runtime.service("shop-service").context().client(CatalogApi.class, "catalog-service");
            int failures = 0;
            for (int i = 0; i < 12; i++) {
                try {
                    client.get(1);
                } catch (RemoteProblemException e) {
                    assertEquals(500, e.status());
                    failures++;
                }
            }
            assertTrue(failures >= 2 && failures <= 4, "the failing instance answered until its breaker opened: "
                    + failures);
            String failingKey = "catalog-service/" + runtime.instances("catalog-service").get(0).uri().getAuthority();
            Map<String, CircuitBreaker.State> states =
                    runtime.service("shop-service").context().resilience().circuitBreakerStates();
            assertEquals(CircuitBreaker.State.OPEN, states.get(failingKey), states.toString());

            int callsToFailing = failing.resource.calls("get");
            for (int i = 0; i < 10; i++) {
                assertEquals(ITEM, client.get(1));
            }
            assertEquals(callsToFailing, failing.resource.calls("get"), "no call reaches an instance with an open breaker");
            String health = java.net.http.HttpClient.newHttpClient().sendAsync(
                    java.net.http.HttpRequest.newBuilder(runtime.service("shop-service").uri().resolve("/health/ready"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).join().body();
            assertTrue(health.contains("\"" + failingKey + "\":\"OPEN\""), "open breaker shown in health: " + health);
            assertTrue(health.startsWith("{\"status\":\"UP\""), "an open breaker does not make the caller unready");
        }
    }

    @Test
    void idempotentCallsFailOverToAnotherInstanceWhenOneIsDown() {
        CatalogServer first = new CatalogServer();
        CatalogServer second = new CatalogServer();
        first.resource.items.put(1L, ITEM);
        second.resource.items.put(1L, ITEM);
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(first, server())
                .addService(second, server())
                .build()) {
            runtime.start();
            List<URI> uris = runtime.instances("catalog-service").stream().map(ServiceHandle::uri).toList();
            // Static discovery keeps listing the stopped instance: the client must route around it.
            try (ServiceClients clients = ServiceClients.builder()
                    .discovery(StaticDiscovery.of(Map.of("catalog-service", uris)))
                    .resilience(resilience())
                    .build()) {
                CatalogApi client = clients.create(CatalogApi.class, "catalog-service");
                for (int i = 0; i < 4; i++) {
                    assertEquals(ITEM, client.get(1));
                }
                assertTrue(first.resource.calls("get") > 0 && second.resource.calls("get") > 0,
                           "round robin uses both instances");

                runtime.instances("catalog-service").get(0).stop();
                for (int i = 0; i < 20; i++) {
                    assertEquals(ITEM, client.get(1), "call " + i + " fails over");
                }

                int postFailures = 0;
                for (int i = 0; i < 6; i++) {
                    try {
                        client.create(new CatalogApi.NewItem("cup", 1));
                    } catch (ServiceUnreachableException e) {
                        postFailures++;
                    }
                }
                assertTrue(postFailures <= 2, "a POST is not retried, but the dead instance's breaker opens soon: "
                        + postFailures);
            }
        }
    }

    @Test
    void downstreamRestartedUnderLoadIsCalledAgainOnFreshConnections() throws Exception {
        int port = freePort();
        CatalogServer catalog = new CatalogServer();
        catalog.resource.items.put(1L, ITEM);
        try (ServiceRuntime runtime = ServiceRuntime.builder().addService(catalog, serverOn(port)).build();
             ServiceClients clients = ServiceClients.builder()
                     .discovery(catalogAt(port))
                     // a short open delay: the breaker that opened while the instance was down lets calls through
                     .resilience(resilience("PT0.2S"))
                     .build()) {
            runtime.start();
            CatalogApi client = clients.create(CatalogApi.class, "catalog-service");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger succeeded = new AtomicInteger();
            ExecutorService load = Executors.newFixedThreadPool(4);
            List<Future<?>> workers = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(load.submit(() -> {
                    while (running.get()) {
                        try {
                            client.get(1);
                            succeeded.incrementAndGet();
                        } catch (ServiceCallException expectedWhileDown) {
                            // the instance is down for a moment during the restart
                        }
                    }
                }));
            }
            dev.flotilla.core.http.Polling.until("load is flowing", () -> succeeded.get() > 50);
            ServiceHandle handle = runtime.service("catalog-service");
            handle.stop();
            handle.start();
            int before = succeeded.get();
            dev.flotilla.core.http.Polling.until("calls succeed after the restart", () -> succeeded.get() > before + 50);
            running.set(false);
            for (Future<?> worker : workers) {
                worker.get(10, TimeUnit.SECONDS);
            }
            load.shutdown();
            for (int i = 0; i < 50; i++) {
                assertEquals(ITEM, client.get(1), "after the restart every call succeeds, pooled connections or not");
            }
        }
    }

    @Test
    void instanceRestartedAtItsAddressServesAgainWithoutWaitingOutItsOpenBreaker() throws Exception {
        int port = freePort();
        CatalogServer catalog = new CatalogServer();
        catalog.resource.items.put(1L, ITEM);
        try (ServiceRuntime runtime = ServiceRuntime.builder().addService(catalog, serverOn(port)).build();
             ServiceClients clients = ServiceClients.builder()
                     .discovery(catalogAt(port))
                     // far longer than the test's deadline: recovery must not wait for it
                     .resilience(resilience("PT60S"))
                     .build()) {
            runtime.start();
            CatalogApi client = clients.create(CatalogApi.class, "catalog-service");
            assertEquals(ITEM, client.get(1));
            ServiceHandle handle = runtime.service("catalog-service");
            handle.stop();
            String breaker = "catalog-service/127.0.0.1:" + port;
            dev.flotilla.core.http.Polling.until("the breaker opens while the instance is down", () -> {
                try {
                    client.get(1);
                } catch (ServiceCallException expected) {
                    // refused: counted by the breaker
                }
                return clients.resilience().circuitBreakerStates().get(breaker) == CircuitBreaker.State.OPEN;
            });
            assertThrows(ServiceUnreachableException.class, () -> client.get(1), "rejected by the open breaker");
            handle.start();
            // within Polling's 20 s, well before the 60 s open delay: the breaker went half-open when the instance
            // answered its readiness check
            dev.flotilla.core.http.Polling.until("a call succeeds after the restart", () -> {
                try {
                    return ITEM.equals(client.get(1));
                } catch (ServiceCallException stillRejected) {
                    return false;
                }
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(ITEM, client.get(1));
            }
            assertEquals(CircuitBreaker.State.CLOSED, clients.resilience().circuitBreakerStates().get(breaker));
        }
    }

    @Test
    void nonIdempotentCallToAStoppedInstanceFailsOnceAndIsNotRepeated() {
        CatalogServer catalog = new CatalogServer();
        try (ServiceRuntime runtime = ServiceRuntime.builder().addService(catalog, server()).build()) {
            runtime.start();
            URI uri = runtime.service("catalog-service").uri();
            try (ServiceClients clients = ServiceClients.builder()
                    .discovery(StaticDiscovery.of(Map.of("catalog-service", List.of(uri))))
                    .resilience(resilience())
                    .build()) {
                runtime.service("catalog-service").stop();
                CatalogApi client = clients.create(CatalogApi.class, "catalog-service");
                assertThrows(ServiceUnreachableException.class, () -> client.flakyPost("down", 0));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
