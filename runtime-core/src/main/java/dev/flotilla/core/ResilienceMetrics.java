package dev.flotilla.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.failsafe.CircuitBreaker;
import dev.flotilla.resilience.CallRejectedException;
import dev.flotilla.resilience.ResilienceListener;
import dev.flotilla.resilience.Resilience;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * Counts a service's resilience events as Helidon metrics, tagged with the service and the policy-set name:
 * {@code flotilla.resilience.calls} (by outcome), {@code .retries}, {@code .rejections} (by reason),
 * {@code .timeouts}, {@code .retry-budget-exhausted}, {@code .deadline-exceeded} and
 * {@code .circuit-breaker-transitions} (by new state); and, through {@link #stateGauges}, the gauge
 * {@code flotilla.resilience.circuit-breakers}: how many of the service's breakers are in each {@code state}
 * ({@code closed}, {@code half-open}, {@code open}).
 */
final class ResilienceMetrics implements ResilienceListener {
    private final String service;
    private final MeterRegistry registry;
    /** The success and the failure counter of each policy set's calls, made with their first call. */
    private final Map<String, Counter> successes = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();

    /**
     * Counts the events of one service's policies.
     *
     * @param service the service's name, the {@code service} tag of every meter
     * @param registry where the meters are registered
     */
    ResilienceMetrics(String service, MeterRegistry registry) {
        this.service = service;
        this.registry = registry;
    }

    /**
     * Registers the breaker-state gauges of a service's registry; closing the result removes them (a restarted
     * service registers gauges over its new registry).
     *
     * @param service the service's name
     * @param registry where the gauges are registered
     * @param resilience the policies whose breakers are counted
     * @return what removes the gauges when closed
     */
    static AutoCloseable stateGauges(String service, MeterRegistry registry, Resilience resilience) {
        List<Meter> gauges = new java.util.ArrayList<>();
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            String name = state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            gauges.add(registry.getOrCreate(Gauge.builder("flotilla.resilience.circuit-breakers", resilience,
                                                          r -> countIn(r, state))
                                                    .addTag(Tag.create("service", service))
                                                    .addTag(Tag.create("state", name))
                                                    .description("Circuit breakers of the service in this state")));
        }
        return () -> gauges.forEach(registry::remove);
    }

    private static double countIn(Resilience resilience, CircuitBreaker.State state) {
        return resilience.circuitBreakerStates().values().stream().filter(s -> s == state).count();
    }

    private void count(String name, String policySet, Tag... extra) {
        counter(name, policySet, extra).increment();
    }

    private Counter counter(String name, String policySet, Tag... extra) {
        Counter.Builder builder = Counter.builder("flotilla.resilience." + name)
                .addTag(Tag.create("service", service))
                .addTag(Tag.create("policy", policySet));
        for (Tag tag : List.of(extra)) {
            builder.addTag(tag);
        }
        return registry.getOrCreate(builder);
    }

    /**
     * Every call completes here (a typed-client call twice: its retry set and its instance's set), so its
     * counters are looked up once per policy set and outcome: a registry lookup builds the meter's id and tag list
     * every time.
     */
    @Override
    public void onCallCompleted(String policySet, boolean success, Duration duration) {
        Map<String, Counter> counters = success ? successes : failures;
        Counter counter = counters.get(policySet);
        if (counter == null) {
            counter = counters.computeIfAbsent(policySet, p -> counter("calls", p,
                    Tag.create("outcome", success ? "success" : "failure")));
        }
        counter.increment();
    }

    @Override
    public void onRetry(String policySet, int attempt, Throwable failure, Duration delay) {
        count("retries", policySet);
    }

    @Override
    public void onRejected(String policySet, CallRejectedException.Reason reason) {
        count("rejections", policySet, Tag.create("reason", reason.name().toLowerCase(java.util.Locale.ROOT)));
    }

    @Override
    public void onTimeout(String policySet) {
        count("timeouts", policySet);
    }

    @Override
    public void onRetryBudgetExhausted(String policySet) {
        count("retry-budget-exhausted", policySet);
    }

    @Override
    public void onDeadlineExceeded(String policySet) {
        count("deadline-exceeded", policySet);
    }

    @Override
    public void onCircuitBreakerStateChanged(String policySet, CircuitBreaker.State from, CircuitBreaker.State to) {
        count("circuit-breaker-transitions", policySet,
              Tag.create("to", to.name().toLowerCase(java.util.Locale.ROOT)));
    }
}
