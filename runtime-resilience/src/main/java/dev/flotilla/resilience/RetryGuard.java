package dev.flotilla.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.failsafe.Policy;
import dev.failsafe.PolicyConfig;
import dev.failsafe.spi.AsyncExecutionInternal;
import dev.failsafe.spi.ExecutionResult;
import dev.failsafe.spi.FailsafeFuture;
import dev.failsafe.spi.PolicyExecutor;
import dev.failsafe.spi.Scheduler;
import dev.failsafe.spi.SyncExecutionInternal;

/**
 * A Failsafe policy placed directly inside the retry policy. After each failed attempt that the retry policy would
 * retry, it checks the deadline (can the shortest possible delay plus a minimal attempt still fit?) and then the retry
 * budget (is there a token?). If not, it replaces the failure by {@link RetryStopped}, which the retry policy aborts
 * on, so the retry loop ends at once, before sleeping, and the caller gets the real failure.
 *
 * <p>Failsafe has no hook for this: its abort predicates see neither the attempt number nor per-call data such as a
 * deadline. Failsafe creates one executor per call, so the attempt counter below is per call; a call's attempts run one
 * after the other (the next one starts after the retry policy has handled this one's result), so it needs no lock.
 */
final class RetryGuard implements Policy<Object> {
    /** The least time worth starting another attempt with. */
    static final long MIN_ATTEMPT_NANOS = 1_000_000L;

    private final int maxAttempts;
    private final Predicate<Throwable> retryable;
    private final RetryDelays delays;
    private final RetryBudget budget;
    private final Deadline deadline;
    private final PolicyEvents events;
    private final PolicyConfig<Object> config = new PolicyConfig<>() {
    };

    RetryGuard(int maxAttempts, Predicate<Throwable> retryable, RetryDelays delays, RetryBudget budget,
               Deadline deadline, PolicyEvents events) {
        this.maxAttempts = maxAttempts;
        this.retryable = retryable;
        this.delays = delays;
        this.budget = budget;
        this.deadline = deadline;
        this.events = events;
    }

    RetryGuard withDeadline(Deadline deadline) {
        return new RetryGuard(maxAttempts, retryable, delays, budget, deadline, events);
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
        private int attempts;

        Executor(int policyIndex) {
            super(RetryGuard.this, policyIndex);
        }

        @Override
        public Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> apply(
                Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> innerFn, Scheduler scheduler) {
            return execution -> afterAttempt(innerFn.apply(execution));
        }

        @Override
        public Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> applyAsync(
                Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> innerFn,
                Scheduler scheduler, FailsafeFuture<Object> future) {
            return execution -> innerFn.apply(execution).thenApply(r -> r == null ? null : afterAttempt(r));
        }

        private ExecutionResult<Object> afterAttempt(ExecutionResult<Object> result) {
            attempts++;
            Throwable failure = result.getException();
            if (failure == null || attempts >= maxAttempts || !retryable.test(failure)) {
                return result;
            }
            if (deadline != null
                    && deadline.remainingNanos() < delays.minimumNanos(attempts, failure) + MIN_ATTEMPT_NANOS) {
                events.deadlineExceeded();
                return ExecutionResult.exception(new RetryStopped(failure));
            }
            if (budget != null && !budget.tryAcquireRetry()) {
                events.retryBudgetExhausted();
                return ExecutionResult.exception(new RetryStopped(failure));
            }
            return result;
        }
    }
}
