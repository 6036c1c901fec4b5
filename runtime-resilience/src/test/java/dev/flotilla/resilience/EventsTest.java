package dev.flotilla.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.failsafe.TimeoutExceededException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventsTest {
    private final TestSupport.RecordingListener listener = new TestSupport.RecordingListener();

    @Test
    void retriesTimeoutsAndCallsAreCountedAndReported() {
        Resilience resilience = Resilience.builder()
                .listener(listener)
                .policies("slow", b -> b.retry(r -> r.maxAttempts(2).delay(Duration.ofMillis(1)))
                        .circuitBreaker(cb -> cb.enabled(false)).timeout(t -> t.duration(Duration.ofMillis(20))))
                .build();
        PolicySet set = resilience.policies("slow");

        assertThrows(TimeoutExceededException.class, () -> set.get(() -> {
            Thread.sleep(5_000);
            return "late";
        }));
        assertEquals("fast", set.get(() -> "fast"));

        PolicyStats stats = set.stats();
        assertEquals(2, stats.calls());
        assertEquals(1, stats.successes());
        assertEquals(1, stats.failures());
        assertEquals(1, stats.retries());
        assertEquals(2, stats.timeouts());
        assertEquals(List.of("slow:timeout", "slow:retry:1", "slow:timeout", "slow:call:failure", "slow:call:success"),
                     listener.events);
        assertEquals(Map.of("slow", stats), resilience.stats());
    }

    @Test
    void bulkheadAndRateLimiterRejectionsAreCallRejectedExceptions() throws Exception {
        Resilience resilience = Resilience.builder()
                .listener(listener)
                .policies("limited", b -> b.retry(r -> r.enabled(false)).circuitBreaker(cb -> cb.enabled(false))
                        .rateLimiter(rl -> rl.enabled(true).permitsPerSecond(1).bursty(true)))
                .policies("narrow", b -> b.retry(r -> r.enabled(false)).circuitBreaker(cb -> cb.enabled(false))
                        .timeout(t -> t.enabled(false)).bulkhead(bh -> bh.enabled(true).maxConcurrent(1)))
                .build();

        resilience.policies("limited").get(() -> "first");
        CallRejectedException limited = assertThrows(CallRejectedException.class,
                                                     () -> resilience.policies("limited").get(() -> "second"));
        assertEquals(CallRejectedException.Reason.RATE_LIMITED, limited.reason());

        PolicySet narrow = resilience.policies("narrow");
        CallRejectedException full = narrow.get(() -> assertThrows(CallRejectedException.class,
                                                                   () -> narrow.get(() -> "inner")));
        assertEquals(CallRejectedException.Reason.BULKHEAD_FULL, full.reason());
        assertTrue(listener.events.contains("limited:rejected:RATE_LIMITED"));
        assertTrue(listener.events.contains("narrow:rejected:BULKHEAD_FULL"));
    }

    @Test
    void listenerExceptionNeverChangesTheOutcome() {
        PolicySet set = Resilience.builder()
                .listener(new ResilienceListener() {
                    @Override
                    public void onCallCompleted(String policySet, boolean success, Duration duration) {
                        throw new IllegalStateException("broken metrics");
                    }
                })
                .build()
                .policies("any");

        assertEquals("ok", set.get(() -> "ok"));
    }

    @Test
    void orderCanBeOverriddenSoTheTimeoutBoundsAllAttempts() {
        PolicySet set = Resilience.builder()
                .policies("bounded", b -> b.circuitBreaker(cb -> cb.enabled(false))
                        .retry(r -> r.maxAttempts(100).delay(Duration.ofMillis(10)))
                        .retryBudget(rb -> rb.enabled(false))
                        .timeout(t -> t.duration(Duration.ofMillis(100)))
                        .order(List.of(PolicyKind.FALLBACK, PolicyKind.TIMEOUT, PolicyKind.RETRY,
                                       PolicyKind.CIRCUIT_BREAKER, PolicyKind.RATE_LIMITER, PolicyKind.BULKHEAD)))
                .build()
                .policies("bounded");

        assertThrows(TimeoutExceededException.class, () -> set.run(() -> {
            throw new IllegalStateException("down");
        }));
        assertTrue(set.stats().retries() < 100);
    }
}
