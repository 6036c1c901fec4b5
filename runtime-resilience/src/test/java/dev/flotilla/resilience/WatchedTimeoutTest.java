package dev.flotilla.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.failsafe.TimeoutExceededException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A policy set's timeout on the caller's thread is expired by the registry's watchdog, not by a timer per call: the
 * outcome is Failsafe's (the attempt interrupted, {@link TimeoutExceededException}, the timeout counted and retried),
 * the watchdog's thread runs only while attempts are watched, and a finished call leaves nothing watched.
 */
class WatchedTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestSupport.RecordingListener listener = new TestSupport.RecordingListener();

    private Resilience registry(boolean retry, boolean interrupt) {
        return Resilience.builder()
                .listener(listener)
                .policies("slow", b -> b.retry(r -> r.enabled(retry).maxAttempts(3).delay(Duration.ofMillis(1))
                        .jitterFactor(0)).retryBudget(rb -> rb.enabled(false)).circuitBreaker(cb -> cb.enabled(false))
                        .timeout(t -> t.duration(TIMEOUT).interrupt(interrupt)))
                .build();
    }

    @Test
    void anAttemptPastItsTimeoutIsInterruptedAndTheCallerGetsTimeoutExceeded() {
        PolicySet set = registry(false, true).policies("slow");
        AtomicBoolean interrupted = new AtomicBoolean();
        long start = System.nanoTime();

        TimeoutExceededException e = assertThrows(TimeoutExceededException.class, () -> set.get(() -> {
            try {
                Thread.sleep(WAIT.toMillis()); // the scenario: work that takes far longer than the timeout
                return "late";
            } catch (InterruptedException ie) {
                interrupted.set(true);
                throw ie;
            }
        }));

        long took = System.nanoTime() - start;
        assertTrue(interrupted.get(), "the attempt's thread is interrupted at the timeout");
        assertTrue(took < WAIT.toNanos() / 2, "returns at the timeout, not when the work would have ended: "
                + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
        assertTrue(took >= TIMEOUT.toNanos(), "not before the timeout");
        assertEquals(TIMEOUT, e.getTimeout().getConfig().getTimeout());
        assertFalse(Thread.currentThread().isInterrupted(), "the caller's interrupt flag is cleared afterwards");
        assertEquals(List.of("slow:timeout", "slow:call:failure"), listener.events);
    }

    @Test
    void withoutInterruptTheAttemptRunsToItsEndAndItsResultIsReplacedByTheTimeout() {
        PolicySet set = registry(false, false).policies("slow");
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();

        assertThrows(TimeoutExceededException.class, () -> set.get(() -> {
            long end = System.nanoTime() + TIMEOUT.toNanos() * 3;
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    interrupted.set(true);
                }
            }
            finished.set(true);
            return "late";
        }));

        assertTrue(finished.get());
        assertFalse(interrupted.get(), "a non-interrupting timeout leaves the attempt alone");
    }

    @Test
    void aTimedOutAttemptIsRetriedAndTheNextOneSucceeds() {
        PolicySet set = registry(true, true).policies("slow");
        AtomicInteger attempts = new AtomicInteger();

        String result = set.get(() -> {
            if (attempts.incrementAndGet() == 1) {
                Thread.sleep(WAIT.toMillis());
            }
            return "second";
        });

        assertEquals("second", result);
        assertEquals(2, attempts.get());
        assertEquals(List.of("slow:timeout", "slow:retry:1", "slow:call:success"), listener.events);
    }

    @Test
    void finishedCallsLeaveNothingWatchedAndTheThreadEndsWhenIdle() {
        Resilience registry = registry(true, true);
        PolicySet set = registry.policies("slow");
        AttemptWatchdog watchdog = registry.watchdog();
        assertFalse(watchdog.isRunning(), "no thread before the first call");

        for (int i = 0; i < 10_000; i++) {
            assertEquals("ok", set.get(() -> "ok"));
        }

        assertEquals(0, watchdog.watching());
        assertTrue(watchdog.isRunning(), "the first watched call started the thread");
        TestSupport.await("the idle watchdog to end its thread", WAIT, () -> !watchdog.isRunning());
        assertEquals("ok", set.get(() -> "ok"), "a later call starts it again");
        assertTrue(watchdog.isRunning());
    }

    @Test
    void concurrentAttemptsAreExpiredIndependently() throws Exception {
        PolicySet set = registry(false, true).policies("slow");
        int callers = 8;
        CountDownLatch done = new CountDownLatch(callers);
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        for (int i = 0; i < callers; i++) {
            boolean slow = i % 2 == 0;
            Thread.ofVirtual().start(() -> {
                try {
                    set.get(() -> {
                        if (slow) {
                            Thread.sleep(WAIT.toMillis());
                        }
                        return "fast";
                    });
                    succeeded.incrementAndGet();
                } catch (TimeoutExceededException e) {
                    timedOut.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }

        assertTrue(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(callers / 2, timedOut.get());
        assertEquals(callers / 2, succeeded.get());
    }

    @Test
    void asyncCallsKeepFailsafesTimeout() throws Exception {
        PolicySet set = registry(false, true).policies("slow");

        ExecutionException e = assertThrows(ExecutionException.class, () -> set.getAsync(() -> {
            Thread.sleep(WAIT.toMillis());
            return "late";
        }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        assertInstanceOf(TimeoutExceededException.class, e.getCause());
    }
}
