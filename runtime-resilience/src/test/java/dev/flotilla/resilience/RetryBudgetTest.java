package dev.flotilla.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryBudgetTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void depositsRatioPerCallUpToTheCap() {
        RetryBudget budget = new RetryBudget(0.5, 0, 2, now::get);

        assertTrue(budget.tryAcquireRetry());
        assertTrue(budget.tryAcquireRetry());
        assertFalse(budget.tryAcquireRetry(), "starts full with 2 tokens");
        budget.recordCall();
        assertFalse(budget.tryAcquireRetry(), "half a token is not a retry");
        budget.recordCall();
        assertTrue(budget.tryAcquireRetry());
        for (int i = 0; i < 100; i++) {
            budget.recordCall();
        }
        assertEquals(2, budget.available(), "capped at max-tokens");
    }

    @Test
    void refillsAtMinimumRatePerSecondWithoutTraffic() {
        RetryBudget budget = new RetryBudget(0.2, 4, 10, now::get);
        while (budget.tryAcquireRetry()) {
            // drain
        }
        assertEquals(0, budget.available());

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertEquals(2, budget.available());
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        assertEquals(10, budget.available(), "capped at max-tokens");
    }

    @Test
    void burstOfFailuresRetriesAtMostTheBudget() {
        int calls = 50;
        PolicySet set = Resilience.builder()
                .nanoTime(now::get)
                .policies("ledger", b -> b.retry(r -> r.maxAttempts(3)
                                .delay(Duration.ofMillis(1))
                                .jitterFactor(0))
                        .circuitBreaker(cb -> cb.enabled(false))
                        .timeout(t -> t.enabled(false))
                        .retryBudget(rb -> rb.ratio(0.2)
                                .minPerSecond(0)
                                .maxTokens(5)))
                .build()
                .policies("ledger");
        AtomicInteger attempts = new AtomicInteger();

        for (int i = 0; i < calls; i++) {
            assertThrows(IllegalStateException.class, () -> set.run(() -> {
                attempts.incrementAndGet();
                throw new IllegalStateException("outage");
            }));
        }

        int retries = attempts.get() - calls;
        // Without a budget: 2 retries per call, 100 in all. With it: the 5 tokens it starts with + 0.2 per call.
        assertTrue(retries <= 5 + calls * 0.2, "retries: " + retries);
        assertTrue(retries >= 5 + calls * 0.2 - 1, "retries: " + retries);
        PolicyStats stats = set.stats();
        assertEquals(retries, stats.retries());
        assertEquals(calls, stats.calls());
        assertEquals(calls, stats.failures());
        assertTrue(stats.retryBudgetExhausted() > 0);
        assertEquals(0, set.retryBudget().orElseThrow().available());
    }

    @Test
    void lastAttemptDoesNotSpendAToken() {
        PolicySet set = Resilience.builder()
                .nanoTime(now::get)
                .policies("ledger", b -> b.retry(r -> r.maxAttempts(4).delay(Duration.ofMillis(1)))
                        .circuitBreaker(cb -> cb.enabled(false)).timeout(t -> t.enabled(false))
                        .retryBudget(rb -> rb.maxTokens(10)))
                .build()
                .policies("ledger");

        assertThrows(IllegalStateException.class, () -> set.run(() -> {
            throw new IllegalStateException("down");
        }));

        assertEquals(7, set.retryBudget().orElseThrow().available(), "3 retries for 4 attempts");
    }

    @Test
    void lastAttemptDoesNotSpendATokenThroughBreakerAndTimeout() {
        PolicySet set = Resilience.builder()
                .nanoTime(now::get)
                .policies("ledger", b -> b.retry(r -> r.maxAttempts(4).delay(Duration.ofMillis(1)))
                        .retryBudget(rb -> rb.maxTokens(10)))
                .build()
                .policies("ledger");

        assertThrows(IllegalStateException.class, () -> set.run(() -> {
            throw new IllegalStateException("down");
        }));

        assertEquals(7, set.retryBudget().orElseThrow().available(), "3 retries for 4 attempts");
    }

    @Test
    void lastAsyncAttemptDoesNotSpendAToken() {
        PolicySet set = Resilience.builder()
                .nanoTime(now::get)
                .policies("ledger", b -> b.retry(r -> r.maxAttempts(4).delay(Duration.ofMillis(1)))
                        .retryBudget(rb -> rb.maxTokens(10)))
                .build()
                .policies("ledger");
        AtomicInteger attempts = new AtomicInteger();

        CompletionException e = assertThrows(CompletionException.class, () -> set.getAsync(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("down");
        }).join());

        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(4, attempts.get());
        assertEquals(7, set.retryBudget().orElseThrow().available(), "3 retries for 4 attempts");
    }

    @Test
    void concurrentRetriesTakeEachTokenOnceAndConcurrentCallsLoseNoDeposit() throws Exception {
        int threads = 8;
        int perThread = 500;
        RetryBudget budget = new RetryBudget(0.5, 0, threads * perThread, now::get);
        AtomicInteger granted = new AtomicInteger();

        inParallel(threads, () -> {
            for (int i = 0; i < perThread; i++) {
                if (budget.tryAcquireRetry()) {
                    granted.incrementAndGet();
                }
            }
        });
        assertEquals(threads * perThread, granted.get(), "every token granted exactly once");
        assertEquals(0, budget.available());

        inParallel(threads, () -> {
            for (int i = 0; i < perThread; i++) {
                budget.recordCall();
            }
        });
        assertEquals(threads * perThread / 2, budget.available(), "0.5 tokens for each call");
    }

    private static void inParallel(int threads, Runnable task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    task.run();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
