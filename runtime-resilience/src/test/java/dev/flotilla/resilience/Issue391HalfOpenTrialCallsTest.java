package dev.flotilla.resilience;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedRunnable;
import org.junit.jupiter.api.Test;

import static dev.flotilla.resilience.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Failsafe issue 391: every call that completes while a breaker is half-open releases a half-open permit, including a
 * call admitted earlier while the breaker was closed, so Failsafe alone admits more concurrent trial calls than
 * configured. Flotilla's gate bounds them to {@code circuit-breaker.half-open-calls}.
 */
class Issue391HalfOpenTrialCallsTest {
    private static final int TRIAL_CALLS = 3;
    private static final Duration OPEN_DELAY = Duration.ofMillis(50);

    @Test
    void rawFailsafeAdmitsAnExtraTrialCallWhenAStaleCallCompletes() throws Exception {
        CircuitBreaker<Object> breaker = CircuitBreaker.builder()
                .withFailureThreshold(1, 2)
                .withSuccessThreshold(TRIAL_CALLS)
                .withDelay(OPEN_DELAY)
                .build();
        FailsafeExecutor<Object> failsafe = Failsafe.with(breaker);

        int maxConcurrentTrials = scenario(breaker, failsafe::run);

        assertEquals(TRIAL_CALLS + 1, maxConcurrentTrials, "Failsafe over-admits (issue 391)");
    }

    @Test
    void flotillaNeverRunsMoreTrialCallsThanConfigured() throws Exception {
        PolicySet set = Resilience.builder()
                .policies("flaky", b -> b.retry(r -> r.enabled(false)).timeout(t -> t.enabled(false))
                        .circuitBreaker(cb -> cb.windowSize(2).openDelay(OPEN_DELAY).halfOpenCalls(TRIAL_CALLS)))
                .build()
                .policies("flaky");

        int maxConcurrentTrials = scenario(set.circuitBreaker().orElseThrow(), set::run);

        assertEquals(TRIAL_CALLS, maxConcurrentTrials);
    }

    @FunctionalInterface
    interface Caller {
        void call(CheckedRunnable runnable);
    }

    /**
     * A call is admitted while closed and stays in flight; the breaker opens, turns half-open, and admits its trial
     * calls; then the stale call succeeds, and more callers arrive. Returns the most trial calls in flight at once.
     */
    private static int scenario(CircuitBreaker<Object> breaker, Caller caller) throws Exception {
        CountDownLatch staleRelease = new CountDownLatch(1);
        CountDownLatch trialRelease = new CountDownLatch(1);
        AtomicInteger staleStarted = new AtomicInteger();
        AtomicInteger staleDone = new AtomicInteger();
        AtomicInteger trialsInFlight = new AtomicInteger();
        AtomicInteger maxTrials = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            threads.submit(() -> {
                caller.call(() -> {
                    staleStarted.incrementAndGet();
                    staleRelease.await();
                });
                staleDone.incrementAndGet();
                return null;
            });
            await("stale call in flight", Duration.ofSeconds(5), () -> staleStarted.get() == 1);

            breaker.open();
            await("open delay", Duration.ofSeconds(5), () -> breaker.getRemainingDelay().isZero());

            Runnable trial = () -> {
                try {
                    caller.call(() -> {
                        maxTrials.accumulateAndGet(trialsInFlight.incrementAndGet(), Math::max);
                        try {
                            trialRelease.await();
                        } finally {
                            trialsInFlight.decrementAndGet();
                        }
                    });
                } catch (CircuitBreakerOpenException | CallRejectedException e) {
                    rejected.incrementAndGet();
                }
            };
            for (int i = 0; i < 6; i++) {
                threads.submit(trial);
            }
            await("trial calls admitted and the rest rejected", Duration.ofSeconds(5),
                  () -> trialsInFlight.get() == TRIAL_CALLS && rejected.get() == 6 - TRIAL_CALLS);

            staleRelease.countDown();
            await("stale call done", Duration.ofSeconds(5), () -> staleDone.get() == 1);

            int before = rejected.get();
            for (int i = 0; i < 4; i++) {
                threads.submit(trial);
            }
            await("late callers admitted or rejected", Duration.ofSeconds(5),
                  () -> rejected.get() + trialsInFlight.get() == before + TRIAL_CALLS + 4);
            return maxTrials.get();
        } finally {
            trialRelease.countDown();
            staleRelease.countDown();
            threads.close();
        }
    }
}
