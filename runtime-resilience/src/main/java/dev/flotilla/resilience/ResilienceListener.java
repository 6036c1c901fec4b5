package dev.flotilla.resilience;

import java.time.Duration;

import dev.failsafe.CircuitBreaker;

/**
 * Receives the events of every policy set in a {@link Resilience} registry, for example to feed a metrics registry or
 * health details. Every method has an empty default, so an implementation overrides only what it needs.
 *
 * <p>Methods are called synchronously on the thread that caused the event, so they must be fast and must not block.
 * An exception thrown by a listener is logged and ignored; it never changes the outcome of a call.
 */
public interface ResilienceListener {
    /**
     * Called when a call through a policy set completes, after all retries and any fallback.
     *
     * @param policySet the policy-set name
     * @param success   {@code true} if the caller got a result, {@code false} if it got an exception
     * @param duration  how long the whole call took
     */
    default void onCallCompleted(String policySet, boolean success, Duration duration) {
    }

    /**
     * Called when a failed attempt will be retried after a delay.
     *
     * @param policySet the policy-set name
     * @param attempt   the number of the attempt that failed, starting at 1
     * @param failure   the failure of that attempt
     * @param delay     how long the retry waits before the next attempt
     */
    default void onRetry(String policySet, int attempt, Throwable failure, Duration delay) {
    }

    /**
     * Called when a call was rejected without reaching the downstream service.
     *
     * @param policySet the policy-set name
     * @param reason    why it was rejected
     */
    default void onRejected(String policySet, CallRejectedException.Reason reason) {
    }

    /**
     * Called when an attempt exceeded its timeout.
     *
     * @param policySet the policy-set name
     */
    default void onTimeout(String policySet) {
    }

    /**
     * Called when a retry was not attempted because the retry budget was empty.
     *
     * @param policySet the policy-set name
     */
    default void onRetryBudgetExhausted(String policySet) {
    }

    /**
     * Called when a call ran out of time before its deadline, or stopped retrying because the remaining time could not
     * fit another attempt.
     *
     * @param policySet the policy-set name
     */
    default void onDeadlineExceeded(String policySet) {
    }

    /**
     * Called when the circuit breaker of a policy set changes state.
     *
     * @param policySet the policy-set name
     * @param from      the previous state
     * @param to        the new state
     */
    default void onCircuitBreakerStateChanged(String policySet, CircuitBreaker.State from, CircuitBreaker.State to) {
    }
}
