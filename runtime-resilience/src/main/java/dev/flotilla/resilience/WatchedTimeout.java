package dev.flotilla.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.failsafe.Policy;
import dev.failsafe.PolicyConfig;
import dev.failsafe.Timeout;
import dev.failsafe.TimeoutExceededException;
import dev.failsafe.spi.AsyncExecutionInternal;
import dev.failsafe.spi.ExecutionInternal;
import dev.failsafe.spi.ExecutionResult;
import dev.failsafe.spi.FailsafeFuture;
import dev.failsafe.spi.PolicyExecutor;
import dev.failsafe.spi.Scheduler;
import dev.failsafe.spi.SyncExecutionInternal;

/**
 * A policy set's timeout: Failsafe's {@link Timeout}, except that a synchronous attempt is expired by the registry's
 * {@link AttemptWatchdog} instead of a timer that Failsafe schedules and cancels for every attempt. What happens at
 * the timeout is Failsafe's own (its {@code TimeoutExecutor}, step by step): the attempt's result becomes a
 * {@link TimeoutExceededException} of the wrapped timeout, the attempt is cancelled, and interrupted when the timeout
 * interrupts; the timeout's listeners and configuration are the wrapped timeout's. Asynchronous executions use
 * Failsafe's timeout unchanged.
 */
final class WatchedTimeout implements Policy<Object> {
    private final Timeout<Object> timeout;
    private final AttemptWatchdog watchdog;
    private final long timeoutNanos;
    private final boolean interrupt;
    private final SharedExecutor shared = new SharedExecutor();

    WatchedTimeout(Timeout<Object> timeout, AttemptWatchdog watchdog) {
        this.timeout = timeout;
        this.watchdog = watchdog;
        this.timeoutNanos = timeout.getConfig().getTimeout().toNanos();
        this.interrupt = timeout.getConfig().canInterrupt();
    }

    /** The wrapped timeout, which a {@link TimeoutExceededException} of this policy names. */
    Timeout<Object> timeout() {
        return timeout;
    }

    @Override
    public PolicyConfig<Object> getConfig() {
        return timeout.getConfig();
    }

    /**
     * Returns an executor for this timeout. The executor keeps no state of its own (each attempt's state lives in the
     * function it returns), so one executor serves every call made with the same policy index.
     */
    @Override
    public PolicyExecutor<Object> toExecutor(int policyIndex) {
        return shared.get(policyIndex, Executor::new);
    }

    private final class Executor extends PolicyExecutor<Object> {
        Executor(int policyIndex) {
            super(WatchedTimeout.this, policyIndex);
        }

        @Override
        protected boolean isFailure(ExecutionResult<Object> result) {
            return !result.isNonResult() && result.getException() instanceof TimeoutExceededException;
        }

        /**
         * A race between the watchdog expiring the attempt and the attempt returning, as in Failsafe's timeout:
         * whichever sets the result first wins.
         */
        @Override
        public Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> apply(
                Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> innerFn, Scheduler scheduler) {
            return execution -> {
                AtomicReference<ExecutionResult<Object>> result = new AtomicReference<>();
                AttemptWatchdog.Watch watch = watchdog.watch(timeoutNanos, () -> {
                    ExecutionResult<Object> timedOut = ExecutionResult.exception(new TimeoutExceededException(timeout));
                    if (result.compareAndSet(null, timedOut)) {
                        // against a race with the retry policy making the next attempt the latest
                        synchronized (execution.getLock()) {
                            ExecutionInternal<Object> latest = execution.getLatest();
                            latest.record(timedOut);
                            latest.cancel(this);
                            if (interrupt) {
                                execution.interrupt();
                            }
                        }
                    }
                });
                if (result.compareAndSet(null, innerFn.apply(execution))) {
                    watch.cancel();
                }
                return postExecute(execution, result.get());
            };
        }

        @Override
        public Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> applyAsync(
                Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> innerFn,
                Scheduler scheduler, FailsafeFuture<Object> future) {
            return timeout.toExecutor(getPolicyIndex()).applyAsync(innerFn, scheduler, future);
        }
    }
}
