package dev.flotilla.core;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceLifecycleTest {

    /** Records every lifecycle call, from the service, its closeables and an extension, in order. */
    static final class RecordingService extends Service {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CountDownLatch allowStart = new CountDownLatch(1);
        final CountDownLatch startEntered = new CountDownLatch(1);
        volatile boolean failStart;

        RecordingService() {
            super("recording-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            events.add("routes");
            rules.get("/ping", (req, res) -> res.send("pong"));
        }

        @Override
        protected void start(ServiceContext context) throws Exception {
            events.add("start");
            context.closeOnStop(() -> events.add("close first-registered"));
            context.closeOnStop(() -> events.add("close second-registered"));
            startEntered.countDown();
            assertTrue(allowStart.await(10, TimeUnit.SECONDS));
            if (failStart) {
                throw new IllegalStateException("schema migration failed");
            }
        }

        @Override
        protected void stop(ServiceContext context) {
            events.add("stop");
        }

        @Override
        protected List<HealthCheck> healthChecks(ServiceContext context) {
            return List.of(new HealthCheck() {
                @Override
                public HealthCheckType type() {
                    return HealthCheckType.READINESS;
                }

                @Override
                public String name() {
                    return "database";
                }

                @Override
                public HealthCheckResponse call() {
                    return HealthCheckResponse.builder().status(true).detail("pool", "open").build();
                }
            });
        }

        ServiceExtensionProvider extension() {
            return context -> Optional.of(new ServiceExtension() {
                @Override
                public void start() {
                    events.add("extension start (uri known: " + context.uri().isPresent() + ")");
                }

                @Override
                public void drain(Duration timeout) {
                    events.add("extension drain");
                }

                @Override
                public void stop() {
                    events.add("extension stop");
                }
            });
        }
    }

    private static ServiceRuntime runtimeOf(RecordingService service) {
        return ServiceRuntime.builder()
                .discoverExtensions(false)
                .addExtension(service.extension())
                .addService(service, CatalogService.ephemeral())
                .build();
    }

    @Test
    void runsHooksInLifecycleOrder() {
        RecordingService service = new RecordingService();
        service.allowStart.countDown();
        ServiceRuntime runtime = runtimeOf(service);
        runtime.start();
        assertEquals(ServiceState.READY, runtime.service("recording-service").state());
        runtime.stop();

        assertEquals(List.of("routes",
                             "extension start (uri known: true)",
                             "start",
                             "extension drain",
                             "stop",
                             "close second-registered",
                             "close first-registered",
                             "extension stop"), service.events);
        assertEquals(ServiceState.STOPPED, runtime.service("recording-service").state());
    }

    @Test
    void isLiveButNotReadyUntilStartUpFinishes() throws Exception {
        RecordingService service = new RecordingService();
        ServiceRuntime runtime = runtimeOf(service);
        CompletableFuture<Void> starting = CompletableFuture.runAsync(runtime::start);
        try {
            assertTrue(service.startEntered.await(10, TimeUnit.SECONDS));
            URI base = runtime.service("recording-service").uri();

            assertEquals(200, Http.get(base, "/health/live").statusCode());
            HttpResponse<String> notReady = Http.get(base, "/health/ready");
            assertEquals(503, notReady.statusCode());
            assertTrue(notReady.body().contains("STARTING"), notReady.body());

            service.allowStart.countDown();
            starting.get(10, TimeUnit.SECONDS);
            HttpResponse<String> ready = Http.get(base, "/health/ready");
            assertEquals(200, ready.statusCode());
            assertTrue(ready.body().contains("database"), "service's own check is listed: " + ready.body());
            assertTrue(Http.get(base, "/metrics").statusCode() == 200, "metrics endpoint answers");
        } finally {
            service.allowStart.countDown();
            runtime.stop();
        }
    }

    @Test
    void failedStartUpStopsTheServiceAndSaysWhy() {
        RecordingService service = new RecordingService();
        service.failStart = true;
        service.allowStart.countDown();
        ServiceRuntime runtime = runtimeOf(service);

        ServiceStartException e = assertThrows(ServiceStartException.class, runtime::start);
        assertTrue(e.getMessage().contains("recording-service"), e.getMessage());
        assertTrue(e.getMessage().contains("schema migration failed"), e.getMessage());
        assertEquals(ServiceState.FAILED, runtime.service("recording-service").state());
        assertTrue(service.events.contains("extension stop"), "resources released: " + service.events);
        assertThrows(IllegalStateException.class, () -> runtime.service("recording-service").uri());
    }

    @Test
    void aStoppedServiceCanStartAgain() {
        CatalogService service = new CatalogService();
        ServiceRuntime runtime = ServiceRuntime.builder().addService(service, CatalogService.ephemeral()).build();
        runtime.start();
        ServiceHandle handle = runtime.service("catalog-service");
        handle.stop();
        assertEquals(ServiceState.STOPPED, handle.state());
        handle.start();
        try {
            assertEquals(200, Http.get(handle.uri(), "/greet/again").statusCode());
        } finally {
            runtime.stop();
        }
    }

    @Test
    void invalidShutdownSettingFailsStartNamingTheKey() {
        ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new CatalogService(), Map.of("server.port", "0", "shutdown.drain-timeout", "-PT1S"))
                .build();
        ServiceStartException e = assertThrows(ServiceStartException.class, runtime::start);
        assertTrue(e.getMessage().contains("shutdown.drain-timeout"), e.getMessage());
    }
}
