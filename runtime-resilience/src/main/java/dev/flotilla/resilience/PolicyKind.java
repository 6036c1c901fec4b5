package dev.flotilla.resilience;

/**
 * The kinds of policy a {@link PolicySet} composes.
 *
 * <p>The constants are declared in Flotilla's default composition order, outermost first, as Failsafe composes them:
 * fallback, retry, circuit breaker, rate limiter, bulkhead, timeout. So each attempt of a retry goes through the
 * circuit breaker, and the timeout bounds a single attempt, not the whole call.
 */
public enum PolicyKind {
    /** Replaces a failure with a result computed in code; outermost by default. */
    FALLBACK,
    /** Retries failed attempts with exponential backoff and jitter, within a retry budget. */
    RETRY,
    /** Stops calling a failing downstream for a while, shared by every caller of the same name. */
    CIRCUIT_BREAKER,
    /** Caps the rate of calls, shared by every caller of the same name. */
    RATE_LIMITER,
    /** Caps the number of concurrent calls, shared by every caller of the same name. */
    BULKHEAD,
    /** Bounds the duration of one attempt; innermost by default. */
    TIMEOUT
}
