package dev.flotilla.resilience;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.failsafe.TimeoutExceededException;
import org.junit.jupiter.api.Test;

import static dev.flotilla.resilience.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failsafe issue 263: a timeout cannot stop code that ignores interruption. What Flotilla guarantees: the caller
 * always gets {@link TimeoutExceededException}, never the late result; with {@code getAsync} it gets it when the
 * timeout expires, while the work goes on in the background; with {@code get} it waits until the work returns.
 */
class Issue263TimeoutIgnoredInterruptTest {
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final Duration WORK = Duration.ofMillis(700);

    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();

    private PolicySet set() {
        return Resilience.builder()
                .policies("legacy", b -> b.retry(r -> r.enabled(false)).circuitBreaker(cb -> cb.enabled(false))
                        .timeout(t -> t.duration(TIMEOUT).interrupt(true)))
                .build()
                .policies("legacy");
    }

    /** Sleeps for WORK, swallowing interrupts: the scenario, not a wait for something to happen. */
    private String ignoreInterrupts() {
        long end = System.nanoTime() + WORK.toNanos();
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }
        finished.set(true);
        return "late result";
    }

    @Test
    void syncCallerGetsTimeoutOnlyWhenNonInterruptibleWorkReturns() {
        PolicySet set = set();
        long start = System.nanoTime();

        assertThrows(TimeoutExceededException.class, () -> set.get(this::ignoreInterrupts));

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(interrupted.get(), "the attempt was interrupted");
        assertTrue(finished.get());
        assertTrue(elapsedMillis >= WORK.toMillis() - 50, "caller waited for the work: " + elapsedMillis);
    }

    @Test
    void asyncCallerGetsTimeoutAtTheTimeoutWhileWorkContinuesInBackground() throws Exception {
        PolicySet set = set();
        CompletableFuture<String> future = set.getAsync(this::ignoreInterrupts);

        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));

        assertInstanceOf(TimeoutExceededException.class, e.getCause());
        // The ordering is the proof, not a wall-clock bound: the caller failed while the work was still running.
        assertFalse(finished.get(), "the caller did not wait for the work, which is still running");
        await("interrupt delivered", Duration.ofSeconds(5), interrupted::get);
        await("background work to end by itself", Duration.ofSeconds(5), finished::get);
    }
}
