package dev.flotilla.core;

import java.time.Duration;
import java.util.List;

import dev.failsafe.CircuitBreaker;
import dev.flotilla.resilience.CallRejectedException;
import dev.flotilla.resilience.ResilienceListener;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * Counts a service's resilience events as Helidon metrics, tagged with the service and the policy-set name:
 * {@code flotilla.resilience.calls} (by outcome), {@code .retries}, {@code .rejections} (by reason),
 * {@code .timeouts}, {@code .retry-budget-exhausted}, {@code .deadline-exceeded} and
 * {@code .circuit-breaker-transitions} (by new state).
 */
final class ResilienceMetrics implements ResilienceListener {
    private final String service;
    private final MeterRegistry registry;

    ResilienceMetrics(String service, MeterRegistry registry) {
        this.service = service;
        this.registry = registry;
    }

    private void count(String name, String policySet, Tag... extra) {
        Counter.Builder builder = Counter.builder("flotilla.resilience." + name)
                .addTag(Tag.create("service", service))
                .addTag(Tag.create("policy", policySet));
        for (Tag tag : List.of(extra)) {
            builder.addTag(tag);
        }
        registry.getOrCreate(builder).increment();
    }

    @Override
    public void onCallCompleted(String policySet, boolean success, Duration duration) {
        count("calls", policySet, Tag.create("outcome", success ? "success" : "failure"));
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
