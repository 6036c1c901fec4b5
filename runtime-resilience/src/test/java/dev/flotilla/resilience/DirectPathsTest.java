package dev.flotilla.resilience;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.FailsafeException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The sets that calls go through without a Failsafe execution, or start one only after a failed first attempt: a
 * retry alone (the typed clients' retrying set) and a breaker alone (their per-instance set). They must behave as
 * the same policies do through Failsafe.
 */
class DirectPathsTest {
    private final TestSupport.RecordingListener listener = new TestSupport.RecordingListener();

    private PolicySet retryOnly(int maxAttempts) {
        return Resilience.builder()
                .listener(listener)
                .policies("downstream", b -> b.retry(r -> r.maxAttempts(maxAttempts)
                                .delay(Duration.ofMillis(1))
                                .jitterFactor(0)
                                .retryOn(e -> !(e instanceof IllegalArgumentException)))
                        .circuitBreaker(cb -> cb.enabled(false))
                        .timeout(t -> t.enabled(false)))
                .build()
                .policies("downstream");
    }

    private static PolicySet breakerOnly() {
        return Resilience.builder()
                .policies("instance", b -> b.retry(r -> r.enabled(false))
                        .timeout(t -> t.enabled(false))
                        .circuitBreaker(cb -> cb.windowSize(4)
                                .failureRateThreshold(50)
                                .openDelay(Duration.ofMinutes(1))
                                .failureOn(e -> e instanceof IllegalStateException || e instanceof IOException)))
                .build()
                .policies("instance");
    }

    @Test
    void retryOnlySetReturnsAFirstSuccessAndCountsIt() {
        PolicySet set = retryOnly(3);
        AtomicInteger attempts = new AtomicInteger();

        assertEquals("ok", set.get(() -> {
            attempts.incrementAndGet();
            return "ok";
        }));

        assertEquals(1, attempts.get());
        PolicyStats stats = set.stats();
        assertEquals(1, stats.calls());
        assertEquals(1, stats.successes());
        assertEquals(0, stats.retries());
    }

    @Test
    void retryOnlySetRetriesAFailedFirstAttemptWithoutRepeatingIt() {
        PolicySet set = retryOnly(3);
        AtomicInteger attempts = new AtomicInteger();

        String result = set.get(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first");
            }
            return "attempt " + attempts.get();
        });

        assertEquals("attempt 2", result);
        assertEquals(2, attempts.get());
        assertEquals(1, set.stats().retries());
        assertEquals(1, set.stats().successes());
        assertEquals(1, listener.retryDelays.size());
    }

    @Test
    void retryOnlySetThrowsANonRetryableFirstFailureAsItIs() {
        PolicySet set = retryOnly(3);
        AtomicInteger attempts = new AtomicInteger();
        IllegalArgumentException failure = new IllegalArgumentException("bad request");

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> set.get(() -> {
            attempts.incrementAndGet();
            throw failure;
        }));

        assertSame(failure, thrown);
        assertEquals(1, attempts.get());
        assertEquals(1, set.stats().failures());
        assertEquals(0, set.stats().retries());
    }

    @Test
    void retryOnlySetWrapsTheLastCheckedFailureAfterItsAttempts() {
        PolicySet set = retryOnly(2);
        AtomicInteger attempts = new AtomicInteger();

        FailsafeException thrown = assertThrows(FailsafeException.class, () -> set.get(() -> {
            throw new IOException("attempt " + attempts.incrementAndGet());
        }));

        assertEquals(2, attempts.get());
        assertInstanceOf(IOException.class, thrown.getCause());
        assertEquals("attempt 2", thrown.getCause().getMessage());
    }

    @Test
    void breakerOnlySetOpensOnFailuresAndThenRejectsWithoutCalling() {
        PolicySet set = breakerOnly();
        AtomicInteger attempts = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            assertThrows(IllegalStateException.class, () -> set.run(() -> {
                attempts.incrementAndGet();
                throw new IllegalStateException("down");
            }));
        }
        assertEquals(CircuitBreaker.State.OPEN, set.circuitBreaker().orElseThrow().getState());

        CallRejectedException rejected = assertThrows(CallRejectedException.class, () -> set.get(() -> {
            attempts.incrementAndGet();
            return "called";
        }));

        assertEquals(CallRejectedException.Reason.CIRCUIT_OPEN, rejected.reason());
        assertEquals(2, attempts.get());
        PolicyStats stats = set.stats();
        assertEquals(3, stats.calls());
        assertEquals(3, stats.failures());
        assertEquals(1, stats.rejections());
    }

    @Test
    void breakerOnlySetWrapsCheckedFailuresAndCountsThemByFailureOn() {
        PolicySet set = breakerOnly();

        FailsafeException thrown = assertThrows(FailsafeException.class, () -> set.get(() -> {
            throw new IOException("unreachable");
        }));
        assertInstanceOf(IOException.class, thrown.getCause());
        assertEquals(1, set.circuitBreaker().orElseThrow().getFailureCount());

        assertThrows(IllegalArgumentException.class, () -> set.get(() -> {
            throw new IllegalArgumentException("not a failure of the instance");
        }));
        assertEquals(1, set.circuitBreaker().orElseThrow().getSuccessCount());
        assertEquals(CircuitBreaker.State.CLOSED, set.circuitBreaker().orElseThrow().getState());
    }
}
