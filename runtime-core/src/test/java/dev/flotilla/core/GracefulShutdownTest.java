package dev.flotilla.core;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stop lets requests in flight finish. Tested with a real slow request rather than trusting Helidon's own grace
 * period (Helidon issue 10154: in-flight requests were interrupted).
 */
class GracefulShutdownTest {

    @Test
    void slowRequestInFlightCompletesWhileNewOnesAreRefused() throws Exception {
        CatalogService service = new CatalogService();
        Map<String, String> config = new HashMap<>(CatalogService.ephemeral());
        config.put("shutdown.grace-period", "PT0.2S");
        ServiceRuntime runtime = ServiceRuntime.builder().addService(service, config).build();
        runtime.start();
        ServiceHandle handle = runtime.service("catalog-service");
        URI base = handle.uri();

        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> Http.get(base, "/slow"));
        assertTrue(service.slowStarted.await(10, TimeUnit.SECONDS), "slow request reached the handler");

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(runtime::stop);
        Await.until("the service drains", Duration.ofSeconds(10), () -> handle.state() == ServiceState.DRAINING);

        HttpResponse<String> readiness = Http.get(base, "/health/ready");
        assertEquals(503, readiness.statusCode(), "readiness goes down first");
        assertTrue(readiness.body().contains("DRAINING"), readiness.body());

        Await.until("new requests are refused after the grace period", Duration.ofSeconds(10),
                    () -> Http.get(base, "/greet/late").statusCode() == 503);
        HttpResponse<String> refused = Http.get(base, "/greet/late");
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElseThrow());
        assertFalse(stopping.isDone(), "stop waits for the request in flight");

        service.releaseSlow.countDown();
        HttpResponse<String> completed = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, completed.statusCode());
        assertEquals("done", completed.body());

        stopping.get(10, TimeUnit.SECONDS);
        assertEquals(ServiceState.STOPPED, handle.state());
    }

    @Test
    void drainTimeoutBoundsTheWaitForAStuckRequest() throws Exception {
        CatalogService service = new CatalogService();
        Map<String, String> config = new HashMap<>(CatalogService.ephemeral());
        config.put("shutdown.drain-timeout", "PT0.3S");
        ServiceRuntime runtime = ServiceRuntime.builder().addService(service, config).build();
        runtime.start();
        URI base = runtime.service("catalog-service").uri();
        CompletableFuture<HttpResponse<String>> stuck = CompletableFuture.supplyAsync(() -> Http.get(base, "/slow"));
        try {
            assertTrue(service.slowStarted.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(runtime::stop);
            stopping.get(10, TimeUnit.SECONDS);
            assertEquals(ServiceState.STOPPED, runtime.service("catalog-service").state());
        } finally {
            service.releaseSlow.countDown();
            stuck.handle((r, e) -> null).get(10, TimeUnit.SECONDS);
        }
    }
}
