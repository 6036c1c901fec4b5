package dev.flotilla.core.http;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.discovery.StaticDiscovery;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code clients.connection-cache-size} reaches the typed clients' connection pool: after a burst of concurrent
 * calls, the pool keeps that many connections open and closes the rest, so the next burst reuses only those.
 */
class ConnectionCacheTest {

    /** A contract that answers with the client port of the connection the call came on. */
    interface PeerApi {
        /** The caller's port as the server saw it. */
        record Peer(int port) {
        }

        @Get("/peer")
        Peer peer();
    }

    private static final int BURST = 3;
    private final CyclicBarrier barrier = new CyclicBarrier(BURST);
    private WebServer server;

    @BeforeEach
    void start() {
        // every call waits for the other calls of its burst, so a burst takes BURST connections at once
        server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.get("/peer", (req, res) -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send("{\"port\":" + req.remotePeer().port() + "}");
                }))
                .build().start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void theConfiguredCacheSizeBoundsTheConnectionsKeptAfterABurst() {
        Config clients = Config.just(ConfigSources.create(Map.of("connection-cache-size", "1")));
        assertEquals(1, reusedInSecondBurst(ServiceClients.builder().config(clients)));
    }

    @Test
    void theBuilderOverridesTheConfiguration() {
        Config clients = Config.just(ConfigSources.create(Map.of("connection-cache-size", "1")));
        assertEquals(2, reusedInSecondBurst(ServiceClients.builder().config(clients).connectionCacheSize(2)));
    }

    @Test
    void byDefaultEveryConnectionOfABurstIsKept() {
        assertEquals(BURST, reusedInSecondBurst(ServiceClients.builder()));
    }

    @Test
    void anInvalidCacheSizeIsRefusedWithTheKeyNamed() {
        Config clients = Config.just(ConfigSources.create(Map.of("connection-cache-size", "0")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> ServiceClients.builder().config(clients).build());
        assertEquals("clients.connection-cache-size must be at least 1, was 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServiceClients.builder().connectionCacheSize(0));
    }

    /** How many connections of a first burst of calls a second burst reuses. */
    private int reusedInSecondBurst(ServiceClients.Builder builder) {
        URI uri = URI.create("http://127.0.0.1:" + server.port());
        try (ServiceClients clients = builder.discovery(StaticDiscovery.of(Map.of("peer", List.of(uri)))).build()) {
            PeerApi client = clients.create(PeerApi.class, "peer");
            Set<Integer> first = burst(client);
            assertEquals(BURST, first.size(), "a burst uses one connection per call");
            Set<Integer> second = burst(client);
            second.retainAll(first);
            return second.size();
        }
    }

    private static Set<Integer> burst(PeerApi client) {
        List<CompletableFuture<Integer>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> client.peer().port(),
                                                    r -> Thread.ofVirtual().start(r)));
        }
        Set<Integer> ports = new HashSet<>();
        calls.forEach(c -> ports.add(c.join()));
        return ports;
    }
}
