package dev.flotilla.resilience;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlineTest {
    private final TestSupport.RecordingListener listener = new TestSupport.RecordingListener();

    private PolicySet set(java.util.function.Consumer<PolicySetConfig.Builder> customizer) {
        return Resilience.builder()
                .listener(listener)
                .policies("quotes", b -> {
                    b.retry(r -> r.jitterFactor(0))
                            .circuitBreaker(cb -> cb.enabled(false))
                            .retryBudget(rb -> rb.enabled(false));
                    customizer.accept(b);
                })
                .build()
                .policies("quotes");
    }

    @Test
    void remainingTimeShrinksAndNeverGoesNegative() {
        AtomicLong now = new AtomicLong();
        Deadline deadline = Deadline.after(Duration.ofSeconds(2), now::get);

        assertEquals(Duration.ofSeconds(2), deadline.remaining());
        now.set(TimeUnit.MILLISECONDS.toNanos(1500));
        assertEquals(Duration.ofMillis(500), deadline.remaining());
        assertFalse(deadline.isExpired());
        now.set(TimeUnit.SECONDS.toNanos(3));
        assertEquals(Duration.ZERO, deadline.remaining());
        assertTrue(deadline.isExpired());
        assertThrows(IllegalArgumentException.class, () -> Deadline.after(Duration.ofMillis(-1)));
        assertFalse(Deadline.after(Duration.ofDays(365 * 1000)).isExpired(), "saturates instead of overflowing");
    }

    @Test
    void expiredDeadlineFailsWithoutCalling() {
        PolicySet set = set(b -> { });
        AtomicInteger calls = new AtomicInteger();

        DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                () -> set.get(Deadline.after(Duration.ZERO), d -> calls.incrementAndGet()));

        assertEquals(0, calls.get());
        assertEquals("quotes", e.policySet());
        assertEquals(1, set.stats().deadlineExceeded());
    }

    @Test
    void callReceivesTheDeadlineToPropagateDownstream() {
        PolicySet set = set(b -> { });
        Deadline deadline = Deadline.after(Duration.ofSeconds(5));
        AtomicReference<Deadline> seen = new AtomicReference<>();

        Duration propagated = set.get(deadline, d -> {
            seen.set(d);
            return d.remaining();
        });

        assertSame(deadline, seen.get());
        assertTrue(propagated.compareTo(Duration.ZERO) > 0 && propagated.compareTo(Duration.ofSeconds(5)) <= 0);
    }

    @Test
    void stopsRetryingWhenTheNextDelayCannotFitAndThrowsTheLastFailure() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(5).delay(Duration.ofMillis(100))));
        AtomicInteger attempts = new AtomicInteger();
        IllegalStateException last = new IllegalStateException("down");

        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> set.get(Deadline.after(Duration.ofMillis(250)), d -> {
                    attempts.incrementAndGet();
                    throw last;
                }));

        // No wall-clock assertion (machines here are noisy): the attempt count shows the third try was not made.
        assertSame(last, thrown);
        assertEquals(2, attempts.get(), "retry after 100 ms fits, the next after 200 more does not");
        assertEquals(1, set.stats().deadlineExceeded());
    }

    @Test
    void attemptIsBoundedByRemainingTimeWhenShorterThanTimeout() {
        PolicySet set = set(b -> b.retry(r -> r.enabled(false)).timeout(t -> t.duration(Duration.ofSeconds(10))));
        long start = System.nanoTime();

        DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                () -> set.get(Deadline.after(Duration.ofMillis(100)), d -> {
                    Thread.sleep(5_000);
                    return "too late";
                }));

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis < 2_000, "interrupted at the deadline: " + elapsedMillis);
        assertTrue(e.budget().compareTo(Duration.ofMillis(100)) <= 0);
    }

    @Test
    void policyTimeoutStillAppliesWhenShorterThanRemainingTime() {
        PolicySet set = set(b -> b.retry(r -> r.enabled(false)).timeout(t -> t.duration(Duration.ofMillis(50))));

        assertThrows(dev.failsafe.TimeoutExceededException.class,
                () -> set.get(Deadline.after(Duration.ofSeconds(10)), d -> {
                    Thread.sleep(5_000);
                    return "too late";
                }));
    }
}
