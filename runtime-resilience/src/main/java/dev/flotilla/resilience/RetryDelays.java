package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Optional;

/**
 * Computes the delay before a retry: exponential backoff with jitter, hard-capped by the maximum delay, or the
 * server's {@link RetryAfter} delay (jittered upwards only, never below what the server asked, also capped).
 *
 * <p>Failsafe's own backoff and jitter are not used because Failsafe applies jitter after the cap (so a delay can
 * exceed the maximum) and also to computed delays (so a client could retry before the server's {@code Retry-After}).
 */
final class RetryDelays {
    private final long delayNanos;
    private final long maxDelayNanos;
    private final double multiplier;
    private final double jitter;

    RetryDelays(Duration delay, Duration maxDelay, double multiplier, double jitter) {
        this.delayNanos = delay.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.multiplier = multiplier;
        this.jitter = jitter;
    }

    /**
     * The backoff delay before retry number {@code retry} (1 for the first retry), before jitter and capped.
     */
    long nominalNanos(int retry) {
        double nominal = delayNanos * Math.pow(multiplier, Math.max(0, retry - 1));
        return (long) Math.min(maxDelayNanos, nominal);
    }

    /**
     * The delay before retry number {@code retry} after {@code failure}, using {@code random} in [0, 1).
     */
    long nextNanos(int retry, Throwable failure, double random) {
        Optional<Duration> serverDelay = retryAfter(failure);
        if (serverDelay.isPresent()) {
            long asked = Math.min(maxDelayNanos, Math.max(0L, serverDelay.get().toNanos()));
            return Math.min(maxDelayNanos, (long) (asked + asked * jitter * random));
        }
        long nominal = nominalNanos(retry);
        double jittered = nominal + nominal * jitter * (2 * random - 1);
        return (long) Math.max(0, Math.min(maxDelayNanos, jittered));
    }

    /**
     * The shortest delay {@link #nextNanos} can return for this retry and failure.
     */
    long minimumNanos(int retry, Throwable failure) {
        Optional<Duration> serverDelay = retryAfter(failure);
        if (serverDelay.isPresent()) {
            return Math.min(maxDelayNanos, Math.max(0L, serverDelay.get().toNanos()));
        }
        return (long) (nominalNanos(retry) * (1 - jitter));
    }

    private static Optional<Duration> retryAfter(Throwable failure) {
        if (failure instanceof RetryAfter retryAfter) {
            Optional<Duration> delay = retryAfter.retryAfter();
            return delay == null ? Optional.empty() : delay;
        }
        return Optional.empty();
    }
}
