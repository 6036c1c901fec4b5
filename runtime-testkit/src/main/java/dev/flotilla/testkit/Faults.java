package dev.flotilla.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults a test injects into one service of a {@link TestSystem}: HTTP requests answered with an error status or
 * after a delay, and message handlers that fail. Faults count down as they strike and are all cleared before each
 * test. Thread-safe.
 *
 * <pre>{@code
 * system.faults("product-service").failRequests(5, 503);      // the next 5 requests get 503
 * system.faults("product-service").delayRequests(1, Duration.ofSeconds(2));
 * system.faults("inventory-service").failHandler("orders.order-placed.v1", 2);
 * }</pre>
 *
 * Health and metrics requests are never faulted, so probes keep telling the truth.
 */
public final class Faults {
    private final String service;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;
    private final AtomicInteger delaysLeft = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;
    private final Map<String, AtomicInteger> handlerFailures = new ConcurrentHashMap<>();
    private final AtomicInteger injected = new AtomicInteger();

    Faults(String service) {
        this.service = service;
    }

    /**
     * Answers the service's next {@code count} HTTP requests with {@code status} (as problem+json), without calling
     * its handlers.
     *
     * @param count  how many requests, at least 1
     * @param status the status, 400 to 599
     * @return this, for chaining
     * @throws IllegalArgumentException if {@code count} is below 1 or {@code status} is not an error status
     */
    public Faults failRequests(int count, int status) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an error status (400 to 599), was " + status);
        }
        failureStatus = status;
        failuresLeft.set(count);
        return this;
    }

    /**
     * Delays the service's next {@code count} HTTP requests by {@code delay} before its handlers run.
     *
     * @param count how many requests, at least 1
     * @param delay the delay
     * @return this, for chaining
     * @throws IllegalArgumentException if {@code count} is below 1 or {@code delay} is negative
     * @throws NullPointerException     if {@code delay} is {@code null}
     */
    public Faults delayRequests(int count, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        this.delay = delay;
        delaysLeft.set(count);
        return this;
    }

    /**
     * Makes the service's handler of {@code subject} throw for its next {@code times} messages, before the handler
     * runs (at-least-once subscriptions then redeliver; others dead-letter the message).
     *
     * @param subject the subscribed subject, exactly as the service subscribed it
     * @param times   how many messages, at least 1
     * @return this, for chaining
     * @throws IllegalArgumentException if {@code times} is below 1
     * @throws NullPointerException     if {@code subject} is {@code null}
     */
    public Faults failHandler(String subject, int times) {
        Objects.requireNonNull(subject, "subject");
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1, was " + times);
        }
        handlerFailures.put(subject, new AtomicInteger(times));
        return this;
    }

    /**
     * How many faults have struck since the last {@link #clear()}.
     *
     * @return the count
     */
    public int injected() {
        return injected.get();
    }

    /**
     * Removes every pending fault of this service.
     */
    public void clear() {
        failuresLeft.set(0);
        delaysLeft.set(0);
        handlerFailures.clear();
        injected.set(0);
    }

    /** The status to fail the current request with, or 0 to let it through. */
    int takeFailure() {
        if (takeOne(failuresLeft)) {
            injected.incrementAndGet();
            return failureStatus;
        }
        return 0;
    }

    /** The delay for the current request; zero when none. */
    Duration takeDelay() {
        if (takeOne(delaysLeft)) {
            injected.incrementAndGet();
            return delay;
        }
        return Duration.ZERO;
    }

    /** Whether the handler of this subject must fail this time. */
    boolean takeHandlerFailure(String subject) {
        AtomicInteger left = handlerFailures.get(subject);
        if (left != null && takeOne(left)) {
            injected.incrementAndGet();
            return true;
        }
        return false;
    }

    private static boolean takeOne(AtomicInteger counter) {
        int left;
        do {
            left = counter.get();
            if (left <= 0) {
                return false;
            }
        } while (!counter.compareAndSet(left, left - 1));
        return true;
    }

    @Override
    public String toString() {
        return "Faults[" + service + ": failures=" + failuresLeft.get() + ", delays=" + delaysLeft.get()
                + ", handlers=" + handlerFailures + "]";
    }
}
