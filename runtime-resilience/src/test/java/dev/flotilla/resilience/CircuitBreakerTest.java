package dev.flotilla.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.failsafe.CircuitBreaker;
import org.junit.jupiter.api.Test;

import static dev.flotilla.resilience.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private static final Duration OPEN_DELAY = Duration.ofMillis(50);
    private final TestSupport.RecordingListener listener = new TestSupport.RecordingListener();

    private Resilience resilience() {
        return Resilience.builder()
                .listener(listener)
                .policies("inventory", b -> b.retry(r -> r.enabled(false))
                        .timeout(t -> t.enabled(false))
                        .circuitBreaker(cb -> cb.windowSize(4)
                                .failureRateThreshold(50)
                                .openDelay(OPEN_DELAY)
                                .halfOpenCalls(2)))
                .build();
    }

    private static void fail(PolicySet set) {
        assertThrows(IllegalStateException.class, () -> set.run(() -> {
            throw new IllegalStateException("down");
        }));
    }

    private static void awaitOpenDelay(CircuitBreaker<Object> breaker) {
        await("open delay to elapse", Duration.ofSeconds(5), () -> breaker.getRemainingDelay().isZero());
    }

    @Test
    void goesClosedOpenHalfOpenClosedAndReopensOnAFailedTrial() {
        PolicySet set = resilience().policies("inventory");
        CircuitBreaker<Object> breaker = set.circuitBreaker().orElseThrow();

        fail(set);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
        fail(set);
        assertEquals(CircuitBreaker.State.OPEN, breaker.getState(), "2 failures of a window of 4 is 50%");
        CallRejectedException rejected = assertThrows(CallRejectedException.class, () -> set.get(() -> "x"));
        assertEquals(CallRejectedException.Reason.CIRCUIT_OPEN, rejected.reason());

        awaitOpenDelay(breaker);
        assertEquals("trial 1", set.get(() -> "trial 1"));
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.getState());
        assertEquals("trial 2", set.get(() -> "trial 2"));
        assertEquals(CircuitBreaker.State.CLOSED, breaker.getState(), "all half-open calls succeeded");

        fail(set);
        fail(set);
        awaitOpenDelay(breaker);
        fail(set);
        assertEquals(CircuitBreaker.State.OPEN, breaker.getState(), "one failed trial reopens");

        assertEquals(List.of("inventory:CLOSED->OPEN", "inventory:OPEN->HALF_OPEN", "inventory:HALF_OPEN->CLOSED",
                             "inventory:CLOSED->OPEN", "inventory:OPEN->HALF_OPEN", "inventory:HALF_OPEN->OPEN"),
                     listener.transitions());
    }

    @Test
    void sameNameSharesOneBreakerAcrossCallers() {
        Resilience resilience = resilience();
        PolicySet first = resilience.policies("inventory");
        PolicySet second = resilience.policies("inventory");

        assertSame(first, second);
        fail(first);
        fail(second);

        assertEquals(CircuitBreaker.State.OPEN, first.circuitBreaker().orElseThrow().getState());
        assertThrows(CallRejectedException.class, () -> second.get(() -> "x"));
    }

    @Test
    void openBreakerShowsInHealthDetails() {
        Resilience resilience = resilience();
        resilience.policies("inventory").circuitBreaker().orElseThrow().open();
        resilience.policies("other");

        assertEquals(Map.of("inventory", CircuitBreaker.State.OPEN, "other", CircuitBreaker.State.CLOSED),
                     resilience.circuitBreakerStates());
    }

    @Test
    void timeWindowOpensOnlyAfterMinimumCalls() {
        PolicySet set = Resilience.builder()
                .policies("search", b -> b.retry(r -> r.enabled(false))
                        .timeout(t -> t.enabled(false))
                        .circuitBreaker(cb -> cb.windowType(PolicySetConfig.CircuitBreakerSettings.WindowType.TIME)
                                .windowDuration(Duration.ofSeconds(30))
                                .minimumCalls(5)
                                .failureRateThreshold(50)))
                .build()
                .policies("search");
        CircuitBreaker<Object> breaker = set.circuitBreaker().orElseThrow();

        for (int i = 0; i < 4; i++) {
            fail(set);
        }
        assertEquals(CircuitBreaker.State.CLOSED, breaker.getState(), "4 calls are below minimum-calls");
        fail(set);
        assertEquals(CircuitBreaker.State.OPEN, breaker.getState());
    }

    @Test
    void exceptionsOutsideFailureOnCountAsSuccesses() {
        PolicySet set = Resilience.builder()
                .policies("users", b -> b.retry(r -> r.enabled(false)).timeout(t -> t.enabled(false))
                        .circuitBreaker(cb -> cb.windowSize(2)
                                .failureOn(e -> !(e instanceof IllegalArgumentException))))
                .build()
                .policies("users");

        for (int i = 0; i < 5; i++) {
            assertThrows(IllegalArgumentException.class, () -> set.run(() -> {
                throw new IllegalArgumentException("not found");
            }));
        }

        assertEquals(CircuitBreaker.State.CLOSED, set.circuitBreaker().orElseThrow().getState());
    }

    @Test
    void concurrentCallersShareOneBreakerThatOpensOnce() throws Exception {
        PolicySet set = Resilience.builder()
                .listener(listener)
                .policies("inventory", b -> b.retry(r -> r.enabled(false)).timeout(t -> t.enabled(false))
                        .circuitBreaker(cb -> cb.windowSize(10).openDelay(Duration.ofMinutes(1))))
                .build()
                .policies("inventory");
        AtomicInteger downstreamCalls = new AtomicInteger();
        int threads = 8;
        int callsPerThread = 50;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> rejections = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                rejections.add(pool.submit(() -> {
                    start.await();
                    int rejected = 0;
                    for (int i = 0; i < callsPerThread; i++) {
                        try {
                            set.run(() -> {
                                downstreamCalls.incrementAndGet();
                                throw new IllegalStateException("down");
                            });
                        } catch (CallRejectedException e) {
                            rejected++;
                        } catch (IllegalStateException expected) {
                            // a call that reached the downstream
                        }
                    }
                    return rejected;
                }));
            }
            start.countDown();
            int totalRejected = 0;
            for (Future<Integer> f : rejections) {
                totalRejected += f.get();
            }

            assertEquals(threads * callsPerThread, downstreamCalls.get() + totalRejected);
            assertTrue(downstreamCalls.get() <= 5 + threads,
                       "the breaker opened after 5 failures, plus calls in flight: " + downstreamCalls.get());
            assertEquals(List.of("inventory:CLOSED->OPEN"), listener.transitions());
            assertEquals(totalRejected, set.stats().rejections());
        } finally {
            pool.shutdownNow();
        }
    }
}
