package dev.flotilla.messaging;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A downstream found through NATS discovery is stopped abruptly while a caller keeps calling it, then started again
 * on the same address (with a new {@code $SRV} id): the caller succeeds again soon after the instance is ready,
 * without waiting out its breaker's open delay (30 s here) or discovery's answer cache (5 s).
 */
class RecoveryAfterRestartTest {
    private static final Duration RECOVERED_WITHIN = Duration.ofSeconds(3);

    /** The downstream's contract. */
    public interface EchoApi {
        @Get("/echo/{word}")
        String echo(@PathParam("word") String word);
    }

    static final class EchoService extends Service {
        EchoService() {
            super("echo-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(EchoApi.class, word -> word));
        }
    }

    static final class CallerService extends Service {
        CallerService() {
            super("caller-service", "1.0.0");
        }
    }

    private static Map<String, String> echoConfig(String nats, int port) {
        return Map.of("server.port", String.valueOf(port), "server.host", "127.0.0.1",
                "shutdown.grace-period", "PT0S", "shutdown.drain-timeout", "PT0S", "messaging.nats.servers", nats);
    }

    private static Map<String, String> callerConfig(String nats) {
        Map<String, String> config = new HashMap<>();
        config.put("server.port", "0");
        config.put("server.host", "127.0.0.1");
        config.put("shutdown.grace-period", "PT0S");
        config.put("messaging.nats.servers", nats);
        config.put("resilience.echo-service.timeout.duration", "PT1S");
        config.put("resilience.echo-service.retry.max-attempts", "1");
        config.put("resilience.echo-service.circuit-breaker.window-size", "4");
        config.put("resilience.echo-service.circuit-breaker.minimum-calls", "4");
        config.put("resilience.echo-service.circuit-breaker.open-delay", "PT30S");
        return config;
    }

    @Test
    void callerRecoversSoonAfterTheRestartedInstanceIsReadyWithoutWaitingOutItsOpenBreaker() throws Exception {
        recoversAfterRestart("not called");
    }

    @Test
    void callerRecoversSoonAfterTheRestartedInstanceIsReadyWhenDiscoveryHadForgottenIt() throws Exception {
        recoversAfterRestart("known to discovery");
    }

    /** Restarts the instance once the calls fail fast with {@code failFast} in their message. */
    private static void recoversAfterRestart(String failFast) throws Exception {
        int port = freePort();
        try (NatsServer nats = NatsServer.start();
             ServiceRuntime callerRuntime = ServiceRuntime.builder()
                     .addService(new CallerService(), callerConfig(nats.url())).build()) {
            callerRuntime.start();
            ServiceRuntime echo = ServiceRuntime.builder().addService(new EchoService(), echoConfig(nats.url(), port))
                    .build();
            echo.start();
            EchoApi client = callerRuntime.service("caller-service").context().client(EchoApi.class, "echo-service");
            Map<String, Integer> failures = new ConcurrentHashMap<>();
            AtomicLong lastSuccess = new AtomicLong();
            AtomicReference<String> lastFailure = new AtomicReference<>("");
            AtomicBoolean done = new AtomicBoolean();
            Thread caller = Thread.ofVirtual().start(() -> {
                while (!done.get()) {
                    try {
                        assertEquals("hi", client.echo("hi"));
                        lastSuccess.set(System.nanoTime());
                    } catch (RuntimeException e) {
                        String kind = e.getClass().getSimpleName() + ": " + e.getMessage()
                                .replaceAll("[0-9]+", "#");
                        failures.merge(kind, 1, Integer::sum);
                        lastFailure.set(kind);
                        // a failing call returns at once: pace the caller so it does not spin
                        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                    }
                }
            });
            try {
                Await.until(Duration.ofSeconds(20), () -> lastSuccess.get() != 0, "the caller succeeds");

                echo.close(); // no grace, no drain: gone at once, as after a kill
                long stopped = System.nanoTime();
                Await.until(Duration.ofSeconds(20), () -> lastSuccess.get() < stopped
                        && failures.keySet().stream().anyMatch(k -> k.contains("could not be reached")),
                        "the caller fails while the instance is down");
                // the breaker (window 4) opens, then discovery forgets the instance
                Await.until(Duration.ofSeconds(20), () -> failures.keySet().stream().anyMatch(k -> k.contains(failFast)),
                        () -> "calls fail fast with '" + failFast + "': " + failures);
                failures.clear();

                ServiceRuntime restarted = ServiceRuntime.builder()
                        .addService(new EchoService(), echoConfig(nats.url(), port)).build();
                echo = restarted;
                restarted.start(); // returns once the instance is ready
                long ready = System.nanoTime();
                Await.until(Duration.ofSeconds(40), () -> lastSuccess.get() > ready, "the caller succeeds again");
                Duration recovery = Duration.ofNanos(lastSuccess.get() - ready);
                System.out.println("recovered " + recovery.toMillis() + " ms after ready; failures after the restart: "
                        + failures);
                assertTrue(recovery.compareTo(RECOVERED_WITHIN) < 0,
                        "recovered " + recovery.toMillis() + " ms after the instance was ready, not within "
                                + RECOVERED_WITHIN + " (breaker open delay 30 s, discovery cache 5 s); failures: "
                                + failures);
            } finally {
                done.set(true);
                caller.join(Duration.ofSeconds(10));
                echo.close();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
