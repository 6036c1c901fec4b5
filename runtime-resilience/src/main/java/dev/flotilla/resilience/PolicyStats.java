package dev.flotilla.resilience;

import java.util.Objects;
import java.util.Optional;

import dev.failsafe.CircuitBreaker;

/**
 * A snapshot of the counters of one policy set since it was created. Counters are read one after the other while
 * calls continue, so they are individually exact but not a consistent cut across counters.
 *
 * @param policySet           the policy-set name
 * @param calls               calls started
 * @param successes           calls that returned a result (including from a fallback)
 * @param failures            calls that ended with an exception (including rejections and timeouts)
 * @param retries             retries scheduled
 * @param rejections          calls rejected by the circuit breaker, bulkhead or rate limiter
 * @param timeouts            attempts that exceeded their timeout
 * @param retryBudgetExhausted retries not attempted because the retry budget was empty
 * @param deadlineExceeded    calls that ran out of time before their deadline or stopped retrying for lack of time
 * @param circuitBreakerState the breaker's current state, empty if the set has no breaker
 */
public record PolicyStats(String policySet,
                          long calls,
                          long successes,
                          long failures,
                          long retries,
                          long rejections,
                          long timeouts,
                          long retryBudgetExhausted,
                          long deadlineExceeded,
                          Optional<CircuitBreaker.State> circuitBreakerState) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if {@code policySet} or {@code circuitBreakerState} is {@code null}
     */
    public PolicyStats {
        Objects.requireNonNull(policySet, "policySet");
        Objects.requireNonNull(circuitBreakerState, "circuitBreakerState");
    }
}
