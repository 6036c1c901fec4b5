package dev.flotilla.resilience;

import java.util.Objects;

/**
 * Thrown when a policy set refuses to make a call at all: its circuit breaker is open (or half-open with every trial
 * call taken), its bulkhead is full, or its rate limiter has no permit within the configured wait.
 *
 * <p>The downstream service never saw the call, so the caller may safely try elsewhere or degrade, even for a
 * non-idempotent operation. The Failsafe exception that caused the rejection is available as the {@linkplain
 * #getCause() cause}.
 */
public final class CallRejectedException extends ResilienceException {
    private static final long serialVersionUID = 1L;

    /**
     * Why a call was rejected.
     */
    public enum Reason {
        /** The circuit breaker is open, or half-open with all of its trial calls in flight. */
        CIRCUIT_OPEN,
        /** The bulkhead had no free slot within its maximum wait. */
        BULKHEAD_FULL,
        /** The rate limiter had no permit within its maximum wait. */
        RATE_LIMITED
    }

    /** The name of the policy set that refused the call. */
    private final String policySet;
    /** Why it refused the call. */
    private final Reason reason;

    CallRejectedException(String policySet, Reason reason, Throwable cause) {
        super("Call through policy set '" + policySet + "' rejected: " + describe(reason), cause);
        this.policySet = Objects.requireNonNull(policySet, "policySet");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    private static String describe(Reason reason) {
        return switch (reason) {
            case CIRCUIT_OPEN -> "circuit breaker is open";
            case BULKHEAD_FULL -> "bulkhead is full";
            case RATE_LIMITED -> "rate limit exceeded";
        };
    }

    /**
     * Returns the name of the policy set that rejected the call.
     *
     * @return the policy set name, never {@code null}
     */
    public String policySet() {
        return policySet;
    }

    /**
     * Returns why the call was rejected.
     *
     * @return the reason, never {@code null}
     */
    public Reason reason() {
        return reason;
    }
}
