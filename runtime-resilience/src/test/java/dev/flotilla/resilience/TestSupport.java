package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import dev.failsafe.CircuitBreaker;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Helpers shared by the tests: config from a map, polling with a deadline, a recording listener.
 */
final class TestSupport {
    private TestSupport() {
    }

    /** Returns the {@code resilience} node of a config made of {@code entries} (keys without the prefix). */
    static Config resilienceConfig(Map<String, String> entries) {
        Map<String, String> prefixed = new java.util.HashMap<>();
        entries.forEach((k, v) -> prefixed.put("resilience." + k, v));
        return Config.just(ConfigSources.create(prefixed)).get("resilience");
    }

    /** Waits until {@code condition} holds, failing after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Records every event as a short string. */
    static final class RecordingListener implements ResilienceListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Duration> retryDelays = new CopyOnWriteArrayList<>();

        @Override
        public void onCallCompleted(String policySet, boolean success, Duration duration) {
            events.add(policySet + ":call:" + (success ? "success" : "failure"));
        }

        @Override
        public void onRetry(String policySet, int attempt, Throwable failure, Duration delay) {
            retryDelays.add(delay);
            events.add(policySet + ":retry:" + attempt);
        }

        @Override
        public void onRejected(String policySet, CallRejectedException.Reason reason) {
            events.add(policySet + ":rejected:" + reason);
        }

        @Override
        public void onTimeout(String policySet) {
            events.add(policySet + ":timeout");
        }

        @Override
        public void onRetryBudgetExhausted(String policySet) {
            events.add(policySet + ":budget-exhausted");
        }

        @Override
        public void onDeadlineExceeded(String policySet) {
            events.add(policySet + ":deadline");
        }

        @Override
        public void onCircuitBreakerStateChanged(String policySet, CircuitBreaker.State from, CircuitBreaker.State to) {
            events.add(policySet + ":" + from + "->" + to);
        }

        List<String> transitions() {
            return events.stream().filter(e -> e.contains("->")).toList();
        }
    }
}
