package dev.flotilla.resilience;

import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * The bucket as of {@link Bucket#refilledAt}, replaced as a whole by compare-and-set so that callers never lock.
     * A full bucket stays full without refills or deposits, so {@link #recordCall()} on a full bucket changes nothing
     * and neither reads the clock nor allocates: the common case when the downstream is healthy.
     */
    private final AtomicReference<Bucket> bucket;

    private record Bucket(double tokens, long refilledAt) {
    }

    RetryBudget(double ratio, double minPerSecond, double maxTokens, LongSupplier nanoTime) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.maxTokens = maxTokens;
        this.nanoTime = nanoTime;
        this.bucket = new AtomicReference<>(new Bucket(maxTokens, nanoTime.getAsLong()));
    }

    /**
     * Records one call, depositing {@code ratio} tokens.
     */
    void recordCall() {
        Bucket current = bucket.get();
        while (current.tokens < maxTokens) {
            Bucket refilled = refilled(current);
            Bucket next = new Bucket(Math.min(maxTokens, refilled.tokens + ratio), refilled.refilledAt);
            Bucket witness = bucket.compareAndExchange(current, next);
            if (witness == current) {
                return;
            }
            current = witness;
        }
    }

    /**
     * Withdraws one token for a retry if one is available.
     *
     * @return {@code true} if the retry may go ahead
     */
    boolean tryAcquireRetry() {
        Bucket current = bucket.get();
        while (true) {
            Bucket refilled = refilled(current);
            Bucket next = refilled.tokens >= 1d ? new Bucket(refilled.tokens - 1d, refilled.refilledAt) : refilled;
            if (next == current) {
                return false;
            }
            Bucket witness = bucket.compareAndExchange(current, next);
            if (witness == current) {
                return next != refilled;
            }
            current = witness;
        }
    }

    /** The bucket refilled at {@code min-per-second} up to now, or {@code bucket} itself if nothing changes. */
    private Bucket refilled(Bucket bucket) {
        if (minPerSecond > 0d) {
            long now = nanoTime.getAsLong();
            long elapsed = now - bucket.refilledAt;
            if (elapsed > 0) {
                return new Bucket(Math.min(maxTokens, bucket.tokens + elapsed / NANOS_PER_SECOND * minPerSecond), now);
            }
        }
        return bucket;
    }

    /**
     * Returns the number of retries the budget would allow right now.
     *
     * @return the whole tokens in the bucket, zero or more
     */
    public int available() {
        Bucket current = bucket.get();
        while (true) {
            Bucket refilled = refilled(current);
            Bucket witness = refilled == current ? current : bucket.compareAndExchange(current, refilled);
            if (witness == current) {
                return (int) Math.floor(refilled.tokens);
            }
            current = witness;
        }
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
