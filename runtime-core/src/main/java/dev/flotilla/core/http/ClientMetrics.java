package dev.flotilla.core.http;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * The timer {@code flotilla.http.client.requests} of one caller's calls to one target, by contract method and
 * outcome. A call counts once, whatever its retries (the attempts are spans). Count, sum and max only: no client-side
 * percentiles, which would update a percentile histogram at every call. Thread-safe.
 */
final class ClientMetrics {
    /** Every value of the {@code outcome} tag, as {@link #outcome(Throwable)} names them. */
    private static final List<String> OUTCOMES = List.of("success", "not-found", "client-error", "server-error",
                                                         "timeout", "unreachable", "failure");

    private final String caller;
    private final String target;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    ClientMetrics(String caller, String target, MeterRegistry registry) {
        this.caller = caller;
        this.target = target;
        this.registry = registry;
    }

    /** The timers of one contract method, looked up once per outcome. */
    Timers timers(String method) {
        return new Timers(method);
    }

    /** The timers of one contract method, by outcome: looked up in the registry at the first call of each. */
    final class Timers {
        private final String method;
        private final AtomicReferenceArray<Timer> byOutcome =
                new AtomicReferenceArray<>(OUTCOMES.size());

        private Timers(String method) {
            this.method = method;
        }

        void record(Throwable failure, long nanos) {
            String outcome = outcome(failure);
            int index = OUTCOMES.indexOf(outcome);
            Timer timer = byOutcome.get(index);
            if (timer == null) {
                timer = timer(method, outcome);
                byOutcome.set(index, timer);
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private Timer timer(String method, String outcome) {
        return timers.computeIfAbsent(method + ' ' + outcome, k -> registry.getOrCreate(
                Timer.builder("flotilla.http.client.requests")
                        .percentiles(new double[0])
                        .tags(List.of(Tag.create("service", caller), Tag.create("target", target),
                                      Tag.create("method", method), Tag.create("outcome", outcome)))
                        .description("Calls of typed clients, by target, contract method and outcome")));
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
