package dev.flotilla.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerConfig;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.ExecutionContext;
import dev.failsafe.FailsafeException;
import dev.failsafe.function.CheckedSupplier;
import dev.failsafe.spi.AsyncExecutionInternal;
import dev.failsafe.spi.ExecutionResult;
import dev.failsafe.spi.FailsafeFuture;
import dev.failsafe.spi.FailurePolicy;
import dev.failsafe.spi.PolicyExecutor;
import dev.failsafe.spi.Scheduler;
import dev.failsafe.spi.SyncExecutionInternal;

/**
 * A Failsafe circuit breaker with a half-open gate in front of it, as one policy: in the chain it takes the place of
 * the breaker, and its executor does the breaker executor's work (acquire a permit, record the outcome) through the
 * breaker's public API, so Flotilla's fix costs no extra policy executor per call.
 *
 * <p>The gate bounds the calls admitted while the breaker is not closed to {@code circuit-breaker.half-open-calls} at
 * a time. Failsafe's half-open state counts permits, but every call that completes while the breaker is half-open
 * releases one, including calls that were admitted earlier while it was closed; so under concurrency it admits more
 * trial calls than configured (Failsafe issue 391). The gate holds its own permits, taken only by calls that start
 * while the breaker is not closed and released when those calls end, so at most {@code permits} trial calls run at
 * once whatever Failsafe's count says. A call that starts while the breaker is open takes a permit only for the
 * instant it takes the breaker to reject it. While the breaker is closed the gate costs one read of its state.
 *
 * <p>The breaker itself is the shared instance of the policy set: its state, statistics and listeners are Failsafe's.
 */
final class GatedCircuitBreaker implements FailurePolicy<Object> {
    private final CircuitBreaker<Object> breaker;
    private final Semaphore permits;

    GatedCircuitBreaker(CircuitBreaker<Object> breaker, int permits) {
        this.breaker = breaker;
        this.permits = new Semaphore(permits);
    }

    /** The breaker's own configuration: its failure conditions decide what counts as a failure. */
    @Override
    public CircuitBreakerConfig<Object> getConfig() {
        return breaker.getConfig();
    }

    /**
     * One synchronous call through the gate and the breaker without a Failsafe execution, for a set whose only
     * policy is this breaker. Does what Failsafe's synchronous path does with this policy alone: a call the breaker
     * does not admit fails with {@link CircuitBreakerOpenException} without being made; the outcome is recorded as a
     * failure when the breaker's failure conditions say so ({@link #isFailure}), as a success otherwise; an
     * unchecked failure is rethrown as it is and a checked one wrapped in {@link FailsafeException}.
     */
    <T> T call(CheckedSupplier<T> supplier) {
        if (breaker.isClosed()) {
            return attempt(supplier);
        }
        if (!permits.tryAcquire()) {
            throw new CircuitBreakerOpenException(breaker);
        }
        try {
            return attempt(supplier);
        } finally {
            permits.release();
        }
    }

    private <T> T attempt(CheckedSupplier<T> supplier) {
        if (!breaker.tryAcquirePermit()) {
            throw new CircuitBreakerOpenException(breaker);
        }
        T result;
        try {
            result = supplier.get();
        } catch (Throwable t) {
            if (isFailure(null, t)) {
                breaker.recordFailure();
            } else {
                breaker.recordSuccess();
            }
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new FailsafeException(t);
        }
        if (isFailure(result, null)) {
            breaker.recordFailure();
        } else {
            breaker.recordSuccess();
        }
        return result;
    }

    @Override
    public PolicyExecutor<Object> toExecutor(int policyIndex) {
        return new Executor(policyIndex);
    }

    private final class Executor extends PolicyExecutor<Object> {
        Executor(int policyIndex) {
            super(GatedCircuitBreaker.this, policyIndex);
        }

        /** As Failsafe's breaker executor: a call the breaker does not admit is rejected without being made. */
        @Override
        protected ExecutionResult<Object> preExecute() {
            return breaker.tryAcquirePermit() ? null : rejection();
        }

        @Override
        protected void onSuccess(ExecutionResult<Object> result) {
            breaker.recordSuccess();
        }

        @Override
        protected ExecutionResult<Object> onFailure(ExecutionContext<Object> context, ExecutionResult<Object> result) {
            breaker.recordFailure();
            return result;
        }

        @Override
        public Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> apply(
                Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> innerFn, Scheduler scheduler) {
            return execution -> {
                if (breaker.isClosed()) {
                    return attempt(innerFn, execution);
                }
                if (!permits.tryAcquire()) {
                    execution.preExecute();
                    return rejection();
                }
                try {
                    return attempt(innerFn, execution);
                } finally {
                    permits.release();
                }
            };
        }

        /** One attempt through the breaker, as {@link PolicyExecutor#apply} does it. */
        private ExecutionResult<Object> attempt(
                Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> innerFn,
                SyncExecutionInternal<Object> execution) {
            ExecutionResult<Object> rejected = preExecute();
            if (rejected != null) {
                // Still need to preExecute when short-circuiting an execution with an alternative result
                execution.preExecute();
                return rejected;
            }
            return postExecute(execution, innerFn.apply(execution));
        }

        @Override
        public Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> applyAsync(
                Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> innerFn,
                Scheduler scheduler, FailsafeFuture<Object> future) {
            Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> attempt =
                    super.applyAsync(innerFn, scheduler, future);
            return execution -> {
                if (breaker.isClosed()) {
                    return attempt.apply(execution);
                }
                if (!permits.tryAcquire()) {
                    execution.preExecute();
                    return CompletableFuture.completedFuture(rejection());
                }
                CompletableFuture<ExecutionResult<Object>> inner;
                try {
                    inner = attempt.apply(execution);
                } catch (RuntimeException | Error e) {
                    permits.release();
                    throw e;
                }
                return inner.whenComplete((r, t) -> permits.release());
            };
        }

        private ExecutionResult<Object> rejection() {
            return ExecutionResult.exception(new CircuitBreakerOpenException(breaker));
        }
    }
}
