package dev.flotilla.resilience;

import java.util.function.LongSupplier;

/**
 * A token bucket that caps the retries of one policy set to a fraction of its recent calls, so that an outage does not
 * multiply the load on a struggling downstream (no retry storms).
 *
 * <p>Every call deposits {@code retry-budget.ratio} tokens (0.2 by default: retries add at most 20% load), the bucket
 * also refills at {@code retry-budget.min-per-second} tokens per second so that a quiet service can still retry, and
 * it never holds more than {@code retry-budget.max-tokens}. Every retry withdraws one token; when fewer than one token
 * is left, the retry is not attempted and the caller gets the last failure. The bucket starts full.
 *
 * <p>One budget exists per policy-set name in a {@link Resilience} registry; obtain it with {@link
 * PolicySet#retryBudget()}. Thread-safe.
 */
public final class RetryBudget {
    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double ratio;
    private final double minPerSecond;
    private final double maxTokens;
    private final LongSupplier nanoTime;

    private double tokens;
    private long lastRefillNanos;

    RetryBudget(double ratio, double minPerSecond, double maxTokens, LongSupplier nanoTime) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.maxTokens = maxTokens;
        this.nanoTime = nanoTime;
        this.tokens = maxTokens;
        this.lastRefillNanos = nanoTime.getAsLong();
    }

    /**
     * Records one call, depositing {@code ratio} tokens.
     */
    synchronized void recordCall() {
        refill();
        tokens = Math.min(maxTokens, tokens + ratio);
    }

    /**
     * Withdraws one token for a retry if one is available.
     *
     * @return {@code true} if the retry may go ahead
     */
    synchronized boolean tryAcquireRetry() {
        refill();
        if (tokens >= 1d) {
            tokens -= 1d;
            return true;
        }
        return false;
    }

    private void refill() {
        if (minPerSecond > 0d) {
            long now = nanoTime.getAsLong();
            long elapsed = now - lastRefillNanos;
            if (elapsed > 0) {
                tokens = Math.min(maxTokens, tokens + elapsed / NANOS_PER_SECOND * minPerSecond);
                lastRefillNanos = now;
            }
        }
    }

    /**
     * Returns the number of retries the budget would allow right now.
     *
     * @return the whole tokens in the bucket, zero or more
     */
    public synchronized int available() {
        refill();
        return (int) Math.floor(tokens);
    }

    /**
     * Returns the fraction of calls that may be retried, as configured by {@code retry-budget.ratio}.
     *
     * @return the ratio, between 0 and 1
     */
    public double ratio() {
        return ratio;
    }

    @Override
    public String toString() {
        return "RetryBudget[available=" + available() + ", ratio=" + ratio + "]";
    }
}
