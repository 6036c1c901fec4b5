package dev.flotilla.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.failsafe.Policy;
import dev.failsafe.PolicyConfig;
import dev.failsafe.spi.AsyncExecutionInternal;
import dev.failsafe.spi.ExecutionInternal;
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
 * deadline. The attempt number is the execution's own count, read only after a failed attempt, so the guard needs no
 * state or lock of its own and costs a successful call nothing but a look at its result.
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
    private final SharedExecutor shared = new SharedExecutor();

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

    /**
     * Returns an executor for this guard. The executor keeps no state of its own (the attempt number comes from the
     * execution), so one executor serves every call made with the same policy index; Failsafe asks for one per call.
     */
    @Override
    public PolicyExecutor<Object> toExecutor(int policyIndex) {
        return shared.get(policyIndex, Executor::new);
    }

    private final class Executor extends PolicyExecutor<Object> {
        Executor(int policyIndex) {
            super(RetryGuard.this, policyIndex);
        }

        @Override
        public Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> apply(
                Function<SyncExecutionInternal<Object>, ExecutionResult<Object>> innerFn, Scheduler scheduler) {
            return execution -> afterAttempt(execution, innerFn.apply(execution));
        }

        @Override
        public Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> applyAsync(
                Function<AsyncExecutionInternal<Object>, CompletableFuture<ExecutionResult<Object>>> innerFn,
                Scheduler scheduler, FailsafeFuture<Object> future) {
            return execution -> innerFn.apply(execution)
                    .thenApply(r -> r == null ? null : afterAttempt(execution, r));
        }

        private ExecutionResult<Object> afterAttempt(ExecutionInternal<Object> execution,
                                                     ExecutionResult<Object> result) {
            Throwable failure = result.getException();
            if (failure == null) {
                return result;
            }
            // Counts this attempt if no inner policy has yet (idempotent per attempt), as the retry policy will.
            execution.recordAttempt();
            int attempts = execution.getAttemptCount();
            if (attempts >= maxAttempts || !retryable.test(failure)) {
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
