package dev.flotilla.core.http;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * The timer {@code flotilla.http.client.requests} of one caller's calls to one target, by contract method and
 * outcome. A call counts once, whatever its retries (the attempts are spans). Count, sum and max only: no client-side
 * percentiles, which would update a percentile histogram at every call. Thread-safe.
 */
final class ClientMetrics {
    private final String caller;
    private final String target;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    ClientMetrics(String caller, String target, MeterRegistry registry) {
        this.caller = caller;
        this.target = target;
        this.registry = registry;
    }

    void record(String method, Throwable failure, long nanos) {
        String outcome = outcome(failure);
        String key = method + ' ' + outcome;
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, k -> registry.getOrCreate(
                    Timer.builder("flotilla.http.client.requests")
                            .percentiles(new double[0])
                            .tags(List.of(Tag.create("service", caller), Tag.create("target", target),
                                          Tag.create("method", method), Tag.create("outcome", outcome)))
                            .description("Calls of typed clients, by target, contract method and outcome")));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    static String outcome(Throwable failure) {
        if (failure == null) {
            return "success";
        }
        if (failure instanceof RemoteNotFoundException) {
            return "not-found";
        }
        if (failure instanceof RemoteProblemException p) {
            return p.status() >= 500 ? "server-error" : "client-error";
        }
        if (failure instanceof ServiceTimeoutException) {
            return "timeout";
        }
        if (failure instanceof ServiceUnreachableException) {
            return "unreachable";
        }
        return "failure";
    }
}
