package dev.flotilla.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for an eventually consistent outcome: polls an assertion until it passes or a deadline passes, then fails
 * with the assertion's last failure. Never a fixed sleep.
 *
 * <pre>{@code
 * eventually(() -> assertEquals("CONFIRMED", orders.get(id).status()));
 * }</pre>
 */
public final class Eventually {
    /** The default deadline: {@value #DEFAULT_TIMEOUT_SECONDS} seconds. */
    public static final long DEFAULT_TIMEOUT_SECONDS = 10;
    private static final long POLL_NANOS = 10_000_000;

    private Eventually() {
    }

    /**
     * An assertion that may throw anything.
     */
    @FunctionalInterface
    public interface Assertion {
        /**
         * Checks the outcome.
         *
         * @throws Throwable if it does not hold yet
         */
        void check() throws Throwable;
    }

    /**
     * Polls until the assertion passes, for at most {@value #DEFAULT_TIMEOUT_SECONDS} seconds.
     *
     * @param assertion the assertion
     * @throws AssertionError with the last failure as its cause, if the deadline passes
     */
    public static void eventually(Assertion assertion) {
        eventually(Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS), assertion);
    }

    /**
     * Polls until the assertion passes, for at most {@code timeout}.
     *
     * @param timeout   the deadline
     * @param assertion the assertion
     * @throws AssertionError       with the last failure as its cause, if the deadline passes
     * @throws NullPointerException if an argument is {@code null}
     */
    public static void eventually(Duration timeout, Assertion assertion) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(assertion, "assertion");
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last;
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                assertion.check();
                return;
            } catch (Throwable t) {
                last = t;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError error = new AssertionError("Still failing after " + timeout + " (" + attempts
                        + " attempts): " + last.getMessage(), last);
                throw error;
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new AssertionError("Interrupted while waiting; last failure: " + last.getMessage(), last);
            }
        }
    }
}
