package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A point in time by which a call must be complete, measured on the monotonic clock of this JVM.
 *
 * <p>A call made with a deadline (see {@link PolicySet#get(Deadline, dev.failsafe.function.CheckedFunction)}) stops
 * retrying when the remaining time cannot fit another attempt, bounds every attempt by the remaining time, and hands
 * the deadline to the guarded code so it can propagate {@link #remaining()} downstream (for example as a request
 * header).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Deadline {
    private final long deadlineNanos;
    private final LongSupplier nanoTime;

    private Deadline(long deadlineNanos, LongSupplier nanoTime) {
        this.deadlineNanos = deadlineNanos;
        this.nanoTime = nanoTime;
    }

    /**
     * Creates a deadline that lies {@code timeout} from now.
     *
     * @param timeout how long from now; zero gives an already expired deadline
     * @return a new deadline
     * @throws NullPointerException     if {@code timeout} is {@code null}
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static Deadline after(Duration timeout) {
        return after(timeout, System::nanoTime);
    }

    static Deadline after(Duration timeout, LongSupplier nanoTime) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(nanoTime, "nanoTime");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive, was " + timeout);
        }
        long nanos = saturatedNanos(timeout);
        long now = nanoTime.getAsLong();
        // Saturate instead of overflowing for very long timeouts.
        long at = now + nanos < now ? Long.MAX_VALUE : now + nanos;
        return new Deadline(at, nanoTime);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Returns the time left before this deadline.
     *
     * @return the remaining time, {@link Duration#ZERO} once the deadline has passed (never negative)
     */
    public Duration remaining() {
        return Duration.ofNanos(remainingNanos());
    }

    long remainingNanos() {
        return Math.max(0L, deadlineNanos - nanoTime.getAsLong());
    }

    /**
     * Returns whether this deadline has passed.
     *
     * @return {@code true} once no time is left
     */
    public boolean isExpired() {
        return remainingNanos() == 0L;
    }

    @Override
    public String toString() {
        return "Deadline[remaining=" + remaining() + "]";
    }
}
