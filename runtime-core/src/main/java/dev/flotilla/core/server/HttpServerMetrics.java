package dev.flotilla.core.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * The RED metrics of a service's HTTP routes: {@code flotilla.http.server.requests} (a timer: rate, duration) and
 * {@code flotilla.http.server.errors} (5xx answers), tagged {@code service}, {@code method}, {@code route} (the
 * route's template, such as {@code /users/{id}}, or {@code unmatched}) and {@code status} ({@code 2xx} ...
 * {@code 5xx}). The timer publishes count, sum and max, no client-side percentiles (Helidon's default would update a
 * percentile histogram at every request). Meters are looked up once per tag combination. Thread-safe.
 */
final class HttpServerMetrics {
    /** The route tag of requests that no route matched (404, 405): one series, whatever the path. */
    static final String UNMATCHED = "unmatched";

    private final String service;
    private final MeterRegistry registry;
    /** Route template, then method, then status class (1 to 5): the meters, made at the first request of each. */
    private final Map<String, Map<String, AtomicReferenceArray<Meters>>> meters = new ConcurrentHashMap<>();

    private record Meters(Timer timer, Counter errors) {
    }

    HttpServerMetrics(String service, MeterRegistry registry) {
        this.service = service;
        this.registry = registry;
    }

    /**
     * Counts one request. Looks its meters up by the route and method strings a request carries (the same instances
     * at every request, so their hashes are cached), without building a key.
     */
    void record(String method, String route, int status, long nanos) {
        int statusClass = Math.max(1, Math.min(status / 100, 5));
        Map<String, AtomicReferenceArray<Meters>> byMethod = meters.get(route);
        if (byMethod == null) {
            byMethod = meters.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        }
        AtomicReferenceArray<Meters> byClass = byMethod.get(method);
        if (byClass == null) {
            byClass = byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(6));
        }
        Meters m = byClass.get(statusClass);
        if (m == null) {
            // Racing first requests may both look up: the registry returns the same meters to both.
            m = create(method, route, statusClass);
            byClass.set(statusClass, m);
        }
        m.timer().record(nanos, TimeUnit.NANOSECONDS);
        if (m.errors() != null) {
            m.errors().increment();
        }
    }

    private Meters create(String method, String route, int statusClass) {
        Tag[] tags = {Tag.create("service", service), Tag.create("method", method), Tag.create("route", route),
                Tag.create("status", statusClass + "xx")};
        // No client-side percentiles (Helidon's default): they cost an HdrHistogram update on every request and
        // cannot be aggregated across instances; count, sum and max are what the series promise.
        Timer timer = registry.getOrCreate(Timer.builder("flotilla.http.server.requests").tags(java.util.List.of(tags))
                                                   .percentiles(new double[0])
                                                   .description("HTTP requests served, by route and status class"));
        Counter errors = statusClass == 5 ? registry.getOrCreate(Counter.builder("flotilla.http.server.errors")
                .tags(java.util.List.of(tags)).description("HTTP requests answered with a 5xx status")) : null;
        return new Meters(timer, errors);
    }
}
