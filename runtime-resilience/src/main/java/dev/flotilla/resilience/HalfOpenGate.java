package dev.flotilla.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Policy;
import dev.failsafe.PolicyConfig;
import dev.failsafe.spi.AsyncExecutionInternal;
import dev.failsafe.spi.ExecutionResult;
import dev.failsafe.spi.FailsafeFuture;
import dev.failsafe.spi.PolicyExecutor;
import dev.failsafe.spi.Scheduler;
import dev.failsafe.spi.SyncExecutionInternal;

/**
 * A Failsafe policy placed directly outside a circuit breaker that bounds the calls admitted while the breaker is not
 * closed to {@code circuit-breaker.half-open-calls} at a time.
 *
 * <p>Failsafe's half-open state counts permits, but every call that completes while the breaker is half-open releases
 * one, including calls that were admitted earlier while it was closed; so under concurrency it admits more trial calls
 * than configured (Failsafe issue 391). This gate holds its own permits, taken only by calls that start while the
 * breaker is not closed and released when those calls end, so at most {@code permits} trial calls run at once whatever
 * Failsafe's count says. A call that starts while the breaker is open takes a permit only for the instant it takes
 * the breaker to reject it.
 */
final class HalfOpenGate implements Policy<Object> {
    private final CircuitBreaker<Object> breaker;
    private final Semaphore permits;
    private final PolicyConfig<Object> config = new PolicyConfig<>() {
    };

    HalfOpenGate(CircuitBreaker<Object> breaker, int permits) {
        this.breaker = breaker;
        this.permits = new Semaphore(permits);
    }

    @Override
    public PolicyConfig<Object> getConfig() {
        return config;
    }

    @Override
    public PolicyExecutor<Object> toExecutor(int policyIndex) {
        return new Executor(policyIndex);
    }

    private final class Executor extends PolicyExecutor<Object> {
        Executor(int policyIndex) {
            super(HalfOpenGate.this, policyIndex);
        }

        @Override
        public Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> apply(
                Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> innerFn, Scheduler scheduler) {
            return execution -> {
                if (breaker.isClosed()) {
                    return innerFn.apply(execution);
                }
                if (!permits.tryAcquire()) {
                    execution.preExecute();
                    return ExecutionResult.exception(new CircuitBreakerOpenException(breaker));
                }
                try {
                    return innerFn.apply(execution);
                } finally {
                    permits.release();
                }
            };
        }

        @Override
        public Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> applyAsync(
                Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> innerFn,
                Scheduler scheduler, FailsafeFuture<Object> future) {
            return execution -> {
                if (breaker.isClosed()) {
                    return innerFn.apply(execution);
                }
                if (!permits.tryAcquire()) {
                    execution.preExecute();
                    return CompletableFuture.completedFuture(
                            ExecutionResult.exception(new CircuitBreakerOpenException(breaker)));
                }
                CompletableFuture<ExecutionResult<Object>> inner;
                try {
                    inner = innerFn.apply(execution);
                } catch (RuntimeException | Error e) {
                    permits.release();
                    throw e;
                }
                return inner.whenComplete((r, t) -> permits.release());
            };
        }
    }
}
