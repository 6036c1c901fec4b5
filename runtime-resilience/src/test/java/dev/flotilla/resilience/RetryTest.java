package dev.flotilla.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import dev.failsafe.FailsafeException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryTest {
    private final TestSupport.RecordingListener listener = new TestSupport.RecordingListener();

    private PolicySet set(java.util.function.Consumer<PolicySetConfig.Builder> customizer) {
        return Resilience.builder()
                .listener(listener)
                .policies("downstream", b -> {
                    b.retry(r -> r.delay(Duration.ofMillis(1)).jitterFactor(0))
                            .circuitBreaker(cb -> cb.enabled(false))
                            .retryBudget(rb -> rb.enabled(false));
                    customizer.accept(b);
                })
                .build()
                .policies("downstream");
    }

    @Test
    void retriesUntilMaxAttemptsThenThrowsTheLastFailure() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(4)));
        AtomicInteger attempts = new AtomicInteger();
        IllegalStateException last = new IllegalStateException("attempt 4");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> set.get(() -> {
            if (attempts.incrementAndGet() == 4) {
                throw last;
            }
            throw new IllegalStateException("attempt " + attempts.get());
        }));

        assertSame(last, thrown);
        assertEquals(4, attempts.get());
        assertEquals(3, set.stats().retries());
    }

    @Test
    void returnsTheFirstSuccessfulResult() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(3)));
        AtomicInteger attempts = new AtomicInteger();

        String result = set.get(() -> {
            if (attempts.incrementAndGet() < 2) {
                throw new IllegalStateException("flaky");
            }
            return "ok";
        });

        assertEquals("ok", result);
        assertEquals(2, attempts.get());
    }

    @Test
    void delaysGrowExponentiallyUpToTheMaximum() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(5).delay(Duration.ofMillis(2))
                .maxDelay(Duration.ofMillis(10)).backoffMultiplier(3)));

        assertThrows(IllegalStateException.class, () -> set.run(() -> {
            throw new IllegalStateException("down");
        }));

        assertEquals(List.of(Duration.ofMillis(2), Duration.ofMillis(6), Duration.ofMillis(10), Duration.ofMillis(10)),
                     listener.retryDelays);
    }

    @Test
    void abortPredicateStopsRetryingAtOnce() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(5)
                .abortOn(e -> e instanceof IllegalArgumentException)));
        AtomicInteger attempts = new AtomicInteger();

        assertThrows(IllegalArgumentException.class, () -> set.run(() -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("bad request");
        }));

        assertEquals(1, attempts.get());
    }

    @Test
    void retryOnPredicateSelectsWhatIsRetried() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(3).retryOn(e -> e instanceof UncheckedIOException)));
        AtomicInteger attempts = new AtomicInteger();

        assertThrows(IllegalStateException.class, () -> set.run(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("not an I/O problem");
        }));
        assertEquals(1, attempts.get());

        attempts.set(0);
        assertThrows(UncheckedIOException.class, () -> set.run(() -> {
            attempts.incrementAndGet();
            throw new UncheckedIOException(new IOException("reset"));
        }));
        assertEquals(3, attempts.get());
    }

    @Test
    void checkedFailureArrivesWrappedInFailsafeException() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(2)));
        IOException failure = new IOException("refused");

        FailsafeException e = assertThrows(FailsafeException.class, () -> set.run(() -> {
            throw failure;
        }));

        assertSame(failure, e.getCause());
    }

    @Test
    void honoursServerRetryAfterInsteadOfBackoff() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(2).delay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(2))));

        assertThrows(TooManyRequests.class, () -> set.run(() -> {
            throw new TooManyRequests(Duration.ofMillis(5));
        }));

        assertEquals(List.of(Duration.ofMillis(5)), listener.retryDelays);
    }

    @Test
    void capsServerRetryAfterAtMaxDelay() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(2).maxDelay(Duration.ofMillis(20))));

        assertThrows(TooManyRequests.class, () -> set.run(() -> {
            throw new TooManyRequests(Duration.ofHours(1));
        }));

        assertEquals(List.of(Duration.ofMillis(20)), listener.retryDelays);
    }

    @Test
    void neverRetriesARejection() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(5)).circuitBreaker(cb -> cb.enabled(true)));
        set.circuitBreaker().orElseThrow().open();
        AtomicInteger attempts = new AtomicInteger();

        CallRejectedException e = assertThrows(CallRejectedException.class, () -> set.run(attempts::incrementAndGet));

        assertEquals(CallRejectedException.Reason.CIRCUIT_OPEN, e.reason());
        assertEquals("downstream", e.policySet());
        assertEquals(0, attempts.get());
        assertEquals(0, set.stats().retries());
        assertEquals(1, set.stats().rejections());
    }

    @Test
    void fallbackGetsTheFinalFailureAfterRetries() {
        PolicySet set = set(b -> b.retry(r -> r.maxAttempts(3)).fallback(e -> "fallback for " + e.getMessage()));
        AtomicInteger attempts = new AtomicInteger();

        String result = set.get(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("down");
        });

        assertEquals("fallback for down", result);
        assertEquals(3, attempts.get());
    }

    @Test
    void fallbackSeesRejectionAsCallRejectedException() {
        PolicySet set = set(b -> b.circuitBreaker(cb -> cb.enabled(true))
                .fallback(e -> assertInstanceOf(CallRejectedException.class, e).reason().name()));
        set.circuitBreaker().orElseThrow().open();

        assertEquals("CIRCUIT_OPEN", set.get(() -> "not called"));
    }

    @Test
    void delaysStayWithinJitterBoundsAndMaximum() {
        RetryDelays delays = new RetryDelays(Duration.ofMillis(100), Duration.ofMillis(1000), 2.0, 0.5);
        RuntimeException failure = new RuntimeException();

        assertEquals(50_000_000L, delays.nextNanos(1, failure, 0.0));
        assertEquals(100_000_000L, delays.nextNanos(1, failure, 0.5));
        assertTrue(delays.nextNanos(1, failure, 0.999_999) <= 150_000_000L);
        assertEquals(100_000_000L, delays.nextNanos(2, failure, 0.0));
        assertEquals(1_000_000_000L, delays.nextNanos(10, failure, 0.999_999), "jitter never exceeds max-delay");
        assertEquals(500_000_000L, delays.nextNanos(10, failure, 0.0));
        for (int retry = 1; retry < 20; retry++) {
            for (double r = 0; r < 1; r += 0.01) {
                long d = delays.nextNanos(retry, failure, r);
                assertTrue(d >= delays.minimumNanos(retry, failure) && d <= 1_000_000_000L, retry + "/" + r);
            }
        }
    }

    @Test
    void retryAfterDelayIsJitteredOnlyUpwards() {
        RetryDelays delays = new RetryDelays(Duration.ofMillis(100), Duration.ofMillis(1000), 2.0, 0.5);
        TooManyRequests failure = new TooManyRequests(Duration.ofMillis(400));

        assertEquals(400_000_000L, delays.nextNanos(1, failure, 0.0));
        assertEquals(500_000_000L, delays.nextNanos(1, failure, 0.5));
        assertEquals(400_000_000L, delays.minimumNanos(1, failure));
        assertEquals(100_000_000L, delays.nextNanos(1, new TooManyRequests(null), 0.5), "empty means backoff");
    }

    static final class TooManyRequests extends RuntimeException implements RetryAfter {
        private static final long serialVersionUID = 1L;
        private final transient Duration retryAfter;

        TooManyRequests(Duration retryAfter) {
            super("429");
            this.retryAfter = retryAfter;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }
    }
}
