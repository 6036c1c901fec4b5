package dev.flotilla.messaging.saga;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * {@code flotilla.saga.started}, {@code .completed} and {@code .failed} counters tagged {@code service} and
 * {@code saga}, and the {@code flotilla.saga.step.duration} timer tagged also {@code step} and {@code outcome}
 * ({@code success}, {@code failure}, {@code retry}, {@code compensated}). Nothing without a registry.
 */
final class SagaMetrics {
    private final MeterRegistry registry;
    private final String service;
    private final Map<String, Meter> meters = new ConcurrentHashMap<>();

    SagaMetrics(MeterRegistry registry, String service) {
        this.registry = registry;
        this.service = service;
    }

    void count(String what, String saga) {
        if (registry == null) {
            return;
        }
        ((Counter) meters.computeIfAbsent(what + ' ' + saga, k -> registry.getOrCreate(
                Counter.builder("flotilla.saga." + what)
                        .tags(List.of(Tag.create("service", service), Tag.create("saga", saga)))
                        .description("Saga instances " + what)))).increment();
    }

    void step(String saga, String step, String outcome, long nanos) {
        if (registry == null) {
            return;
        }
        ((Timer) meters.computeIfAbsent(saga + ' ' + step + ' ' + outcome, k -> registry.getOrCreate(
                Timer.builder("flotilla.saga.step.duration")
                        .percentiles(new double[0])
                        .tags(List.of(Tag.create("service", service), Tag.create("saga", saga),
                                      Tag.create("step", step), Tag.create("outcome", outcome)))
                        .description("Saga step attempts by saga, step and outcome")))).record(nanos,
                                                                                          TimeUnit.NANOSECONDS);
    }

    /** Removes this engine's meters (a restarted service makes new ones). */
    void close() {
        if (registry != null) {
            meters.values().forEach(registry::remove);
        }
        meters.clear();
    }
}
