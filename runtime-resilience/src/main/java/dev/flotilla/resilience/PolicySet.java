package dev.flotilla.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import dev.failsafe.Bulkhead;
import dev.failsafe.BulkheadFullException;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerBuilder;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Fallback;
import dev.failsafe.Policy;
import dev.failsafe.RateLimitExceededException;
import dev.failsafe.RateLimiter;
import dev.failsafe.RateLimiterBuilder;
import dev.failsafe.RetryPolicy;
import dev.failsafe.Timeout;
import dev.failsafe.TimeoutBuilder;
import dev.failsafe.TimeoutExceededException;
import dev.failsafe.event.ExecutionAttemptedEvent;
import dev.failsafe.function.CheckedFunction;
import dev.failsafe.function.CheckedRunnable;
import dev.failsafe.function.CheckedSupplier;

/**
 * A named composition of Failsafe policies that every caller of one downstream shares: the circuit breaker,
 * bulkhead, rate limiter and retry budget of a name are the same instances wherever {@link Resilience#policies(String)}
 * is called with that name, so all callers share their state.
 *
 * <p>Policies are composed in {@link PolicySetConfig#order()}, outermost first (by default fallback, retry, circuit
 * breaker, rate limiter, bulkhead, timeout): each attempt of a retry goes through the breaker, and the timeout bounds
 * one attempt.
 *
 * <p>What a caller gets:
 * <ul>
 *   <li>the result of the first successful attempt, or the fallback's result;</li>
 *   <li>the last failure when attempts run out, the failure is not retryable, the retry budget is empty or the
 *   deadline cannot fit another attempt: unchecked exceptions unchanged, checked ones wrapped in Failsafe's
 *   {@link FailsafeException};</li>
 *   <li>{@link CallRejectedException} when the breaker, bulkhead or rate limiter refused the call (never retried);</li>
 *   <li>Failsafe's {@link TimeoutExceededException} when the last attempt timed out;</li>
 *   <li>{@link DeadlineExceededException} when a call made with a {@link Deadline} ran out of time.</li>
 * </ul>
 *
 * <p>Timeouts and code that ignores interruption (Failsafe issue 263): with {@link #get(CheckedSupplier)} the attempt
 * runs on the caller's thread, so Failsafe can only interrupt it; code that ignores interruption keeps the caller
 * waiting until it returns, and then the caller gets {@link TimeoutExceededException} and the late result is
 * discarded. With {@link #getAsync(CheckedSupplier)} the attempt runs on a virtual thread and the returned future
 * fails with {@link TimeoutExceededException} as soon as the timeout expires, while non-interruptible work goes on in
 * the background until it ends by itself.
 *
 * <p>When the service's configuration changes at run time ({@link Resilience#reconfigure(io.helidon.config.Config)}),
 * the set is rebuilt in place: callers keep the same {@code PolicySet} and the next call uses the new settings.
 *
 * <p>Thread-safe.
 */
public final class PolicySet {
    private final String name;
    private final PolicyEvents events;
    private final LongSupplier nanoTime;
    private final AttemptWatchdog watchdog;
    /** Swapped whole by {@link #reconfigure(PolicySetConfig)}; a call reads it once and keeps what it read. */
    private volatile Compiled compiled;

    /** The Failsafe policies built from one {@link PolicySetConfig}. Immutable. */
    private static final class Compiled {
        private final PolicySetConfig config;
        private final CircuitBreaker<Object> circuitBreaker;
        private final RetryBudget retryBudget;
        private final List<Policy<Object>> policies;
        private final int guardIndex;
        private final int deadlineIndex;
        private final FailsafeExecutor<Object> executor;
        /**
         * The breaker when it is the set's only policy (a per-instance set of the typed clients): calls without a
         * deadline then go through it directly, without a Failsafe execution; null otherwise.
         */
        private final GatedCircuitBreaker breakerOnly;
        /**
         * Whether the set is a retry and nothing else (the retrying set of the typed clients): a call without a
         * deadline then makes its first attempt before any Failsafe execution, and only a failed first attempt
         * starts one.
         */
        private final boolean retryOnly;

        private Compiled(PolicySetConfig config, CircuitBreaker<Object> circuitBreaker, RetryBudget retryBudget,
                         List<Policy<Object>> policies, int guardIndex) {
            this.config = config;
            this.circuitBreaker = circuitBreaker;
            this.retryBudget = retryBudget;
            this.policies = List.copyOf(policies);
            this.guardIndex = guardIndex;
            // A deadline bounds everything but an outermost fallback, so a fallback can still answer in time.
            this.deadlineIndex = !policies.isEmpty() && policies.get(0) instanceof Fallback ? 1 : 0;
            this.executor = executorOf(this.policies);
            this.breakerOnly = this.policies.size() == 1 && this.policies.get(0) instanceof GatedCircuitBreaker gated
                    ? gated : null;
            this.retryOnly = this.policies.size() == 2 && this.policies.get(0) instanceof RetryPolicy
                    && this.policies.get(1) instanceof RetryGuard;
        }
    }

    PolicySet(String name, PolicySetConfig config, ResilienceListener listener, LongSupplier nanoTime,
              AttemptWatchdog watchdog) {
        this.name = name;
        this.events = new PolicyEvents(name, listener);
        this.nanoTime = nanoTime;
        this.watchdog = watchdog;
        this.compiled = compile(config, null);
    }

    /**
     * Rebuilds the policies from new settings; calls that already started finish with the old ones. The circuit
     * breaker (with its state) and the retry budget (with its tokens) are kept when their own settings did not
     * change, and start afresh (closed, full) when they did.
     */
    void reconfigure(PolicySetConfig config) {
        compiled = compile(config, compiled);
    }

    private Compiled compile(PolicySetConfig config, Compiled previous) {
        PolicySetConfig.RetrySettings retrySettings = config.retry();
        PolicySetConfig.RetryBudgetSettings budgetSettings = config.retryBudget();
        boolean retry = retrySettings.enabled() && retrySettings.maxAttempts() > 1;
        CircuitBreaker<Object> circuitBreaker = null;
        if (config.circuitBreaker().enabled()) {
            circuitBreaker = previous != null && previous.circuitBreaker != null
                    && sameBreaker(previous.config.circuitBreaker(), config.circuitBreaker())
                    ? previous.circuitBreaker : circuitBreaker(config.circuitBreaker(), events);
        }
        RetryBudget retryBudget = null;
        if (retry && budgetSettings.enabled()) {
            retryBudget = previous != null && previous.retryBudget != null
                    && sameBudget(previous.config.retryBudget(), budgetSettings)
                    ? previous.retryBudget
                    : new RetryBudget(budgetSettings.ratio(), budgetSettings.minPerSecond(),
                                      budgetSettings.maxTokens(), nanoTime);
        }
        final RetryBudget budget = retryBudget;
        final CircuitBreaker<Object> breaker = circuitBreaker;

        List<Policy<Object>> list = new ArrayList<>();
        int guardAt = -1;
        for (PolicyKind kind : config.order()) {
            switch (kind) {
                case FALLBACK -> config.fallback().ifPresent(f -> list.add(fallback(f)));
                case RETRY -> {
                    if (retry) {
                        RetryDelays delays = new RetryDelays(retrySettings.delay(), retrySettings.maxDelay(),
                                                             retrySettings.backoffMultiplier(),
                                                             retrySettings.jitterFactor());
                        Predicate<Throwable> retryable = retryable(retrySettings);
                        list.add(retryPolicy(retrySettings, retryable, delays, events));
                        guardAt = list.size();
                        list.add(new RetryGuard(retrySettings.maxAttempts(), retryable, delays, budget, null,
                                                events));
                    }
                }
                case CIRCUIT_BREAKER -> {
                    if (breaker != null) {
                        list.add(new GatedCircuitBreaker(breaker, config.circuitBreaker().halfOpenCalls()));
                    }
                }
                case RATE_LIMITER -> {
                    if (config.rateLimiter().enabled()) {
                        list.add(rateLimiter(config.rateLimiter()));
                    }
                }
                case BULKHEAD -> {
                    if (config.bulkhead().enabled()) {
                        list.add(Bulkhead.builder(config.bulkhead().maxConcurrent())
                                         .withMaxWaitTime(config.bulkhead().maxWait())
                                         .build());
                    }
                }
                case TIMEOUT -> {
                    if (config.timeout().enabled()) {
                        list.add(new WatchedTimeout(timeout(config.timeout().duration(), config.timeout().interrupt(),
                                                            events), watchdog));
                    }
                }
            }
        }
        return new Compiled(config, breaker, budget, list, guardAt);
    }

    private static boolean sameBreaker(PolicySetConfig.CircuitBreakerSettings a,
                                       PolicySetConfig.CircuitBreakerSettings b) {
        return a.windowType() == b.windowType()
                && a.windowSize() == b.windowSize()
                && a.windowDuration().equals(b.windowDuration())
                && a.minimumCalls() == b.minimumCalls()
                && a.failureRateThreshold() == b.failureRateThreshold()
                && a.openDelay().equals(b.openDelay())
                && a.halfOpenCalls() == b.halfOpenCalls()
                && a.failureOn() == b.failureOn();
    }

    private static boolean sameBudget(PolicySetConfig.RetryBudgetSettings a, PolicySetConfig.RetryBudgetSettings b) {
        return a.ratio() == b.ratio()
                && a.minPerSecond() == b.minPerSecond()
                && a.maxTokens() == b.maxTokens();
    }

    private static FailsafeExecutor<Object> executorOf(List<Policy<Object>> policies) {
        return policies.isEmpty() ? Failsafe.none() : Failsafe.with(policies);
    }

    private static Predicate<Throwable> retryable(PolicySetConfig.RetrySettings settings) {
        Predicate<Throwable> retryOn = settings.retryOn();
        Predicate<Throwable> abortOn = settings.abortOn();
        return e -> !(e instanceof CircuitBreakerOpenException)
                && !(e instanceof BulkheadFullException)
                && !(e instanceof RateLimitExceededException)
                && !(e instanceof RetryStopped)
                && retryOn.test(e)
                && !abortOn.test(e);
    }

    private static RetryPolicy<Object> retryPolicy(PolicySetConfig.RetrySettings settings,
                                                   Predicate<Throwable> retryable, RetryDelays delays,
                                                   PolicyEvents events) {
        return RetryPolicy.builder()
                .handleIf((Object result, Throwable e) -> e != null && (e instanceof RetryStopped
                        || retryable.test(e)))
                .abortIf((Object result, Throwable e) -> e instanceof RetryStopped)
                .withMaxAttempts(settings.maxAttempts())
                .withDelayFn(ctx -> Duration.ofNanos(delays.nextNanos(ctx.getAttemptCount(), ctx.getLastException(),
                                                                      ThreadLocalRandom.current().nextDouble())))
                .onRetryScheduled(e -> events.retryScheduled(e.getAttemptCount(), e.getLastException(),
                                                             e.getDelay()))
                .build();
    }

    private static CircuitBreaker<Object> circuitBreaker(PolicySetConfig.CircuitBreakerSettings settings,
                                                         PolicyEvents events) {
        Predicate<Throwable> failureOn = settings.failureOn();
        CircuitBreakerBuilder<Object> builder = CircuitBreaker.builder()
                .handleIf((Object result, Throwable e) -> e != null && failureOn.test(e))
                .withDelay(settings.openDelay())
                .withSuccessThreshold(settings.halfOpenCalls())
                .onOpen(e -> events.stateChanged(e.getPreviousState(), CircuitBreaker.State.OPEN))
                .onHalfOpen(e -> events.stateChanged(e.getPreviousState(), CircuitBreaker.State.HALF_OPEN))
                .onClose(e -> events.stateChanged(e.getPreviousState(), CircuitBreaker.State.CLOSED));
        int rate = settings.failureRateThreshold();
        if (settings.windowType() == PolicySetConfig.CircuitBreakerSettings.WindowType.COUNT) {
            int size = settings.windowSize();
            int failures = Math.max(1, (int) Math.ceil(size * rate / 100.0));
            builder.withFailureThreshold(failures, size);
        } else {
            builder.withFailureRateThreshold(rate, settings.minimumCalls(), settings.windowDuration());
        }
        return builder.build();
    }

    private static RateLimiter<Object> rateLimiter(PolicySetConfig.RateLimiterSettings settings) {
        long permits = settings.permitsPerSecond();
        RateLimiterBuilder<Object> builder = settings.bursty()
                ? RateLimiter.burstyBuilder(permits, Duration.ofSeconds(1))
                : RateLimiter.smoothBuilder(permits, Duration.ofSeconds(1));
        return builder.withMaxWaitTime(settings.maxWait()).build();
    }

    private static Timeout<Object> timeout(Duration duration, boolean interrupt, PolicyEvents events) {
        TimeoutBuilder<Object> builder = Timeout.builder(duration);
        if (interrupt) {
            builder.withInterrupt();
        }
        if (events != null) {
            builder.onFailure(e -> events.timedOut());
        }
        return builder.build();
    }

    private Fallback<Object> fallback(CheckedFunction<Throwable, ?> fallback) {
        CheckedFunction<ExecutionAttemptedEvent<?>, Object> fn =
                event -> fallback.apply(userFacing(event.getLastException(), null, null));
        return Fallback.of(fn);
    }

    /**
     * Returns the name of this set.
     *
     * @return the name, as passed to {@link Resilience#policies(String)}
     */
    public String name() {
        return name;
    }

    /**
     * Returns the settings this set was built from.
     *
     * @return the settings
     */
    public PolicySetConfig config() {
        return compiled.config;
    }

    /**
     * Returns the circuit breaker this set shares with every other user of its name. It can be inspected, or opened
     * and closed by hand (for example in an operations endpoint).
     *
     * @return the shared breaker, or empty if {@code circuit-breaker.enabled} is {@code false}
     */
    public Optional<CircuitBreaker<Object>> circuitBreaker() {
        return Optional.ofNullable(compiled.circuitBreaker);
    }

    /**
     * Returns the retry budget this set shares with every other user of its name.
     *
     * @return the budget, or empty if retries or the budget are disabled
     */
    public Optional<RetryBudget> retryBudget() {
        return Optional.ofNullable(compiled.retryBudget);
    }

    /**
     * Returns the counters of this set.
     *
     * @return a snapshot of the counters
     */
    public PolicyStats stats() {
        return events.snapshot(circuitBreaker().map(CircuitBreaker::getState));
    }

    /**
     * Calls {@code supplier} through this set's policies on the caller's thread and returns its result.
     *
     * @param supplier the call to protect; called once per attempt
     * @param <T>      the result type
     * @return the result of the first successful attempt, or the fallback's result
     * @throws NullPointerException      if {@code supplier} is {@code null}
     * @throws CallRejectedException     if the breaker, bulkhead or rate limiter refused the call
     * @throws TimeoutExceededException  if the last attempt exceeded its timeout
     * @throws FailsafeException         wrapping the last failure if it is a checked exception
     */
    public <T> T get(CheckedSupplier<T> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        Compiled now = compiled;
        if (now.breakerOnly != null) {
            return direct(now, supplier);
        }
        if (now.retryOnly) {
            return firstAttemptFirst(now, supplier);
        }
        return call(now, now.executor, supplier, null, null);
    }

    /**
     * Runs {@code runnable} through this set's policies on the caller's thread.
     *
     * @param runnable the call to protect; run once per attempt
     * @throws NullPointerException      if {@code runnable} is {@code null}
     * @throws CallRejectedException     if the breaker, bulkhead or rate limiter refused the call
     * @throws TimeoutExceededException  if the last attempt exceeded its timeout
     * @throws FailsafeException         wrapping the last failure if it is a checked exception
     */
    public void run(CheckedRunnable runnable) {
        Objects.requireNonNull(runnable, "runnable");
        Compiled now = compiled;
        CheckedSupplier<Object> supplier = () -> {
            runnable.run();
            return null;
        };
        if (now.breakerOnly != null) {
            direct(now, supplier);
            return;
        }
        if (now.retryOnly) {
            firstAttemptFirst(now, supplier);
            return;
        }
        call(now, now.executor, supplier, null, null);
    }

    /**
     * Calls {@code call} through this set's policies within a deadline. The call gets the deadline so it can pass the
     * {@linkplain Deadline#remaining() remaining time} downstream. Retries stop when the remaining time cannot fit
     * the next delay plus a minimal attempt (the caller then gets the last failure), and the whole call, retries and
     * delays included, is bounded by the remaining time, so each attempt effectively has {@code min(timeout,
     * remaining)}.
     *
     * @param deadline when the call must be complete
     * @param call     the call to protect; called once per attempt with {@code deadline}
     * @param <T>      the result type
     * @return the result of the first successful attempt, or the fallback's result
     * @throws NullPointerException       if {@code deadline} or {@code call} is {@code null}
     * @throws DeadlineExceededException  if the deadline had passed at the start, or passed during the call
     * @throws CallRejectedException      if the breaker, bulkhead or rate limiter refused the call
     * @throws TimeoutExceededException   if the last attempt exceeded the policy's own timeout
     * @throws FailsafeException          wrapping the last failure if it is a checked exception
     */
    public <T> T get(Deadline deadline, CheckedFunction<Deadline, T> call) {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(call, "call");
        Duration remaining = deadline.remaining();
        if (remaining.isZero()) {
            long start = events.callStarted();
            events.deadlineExceeded();
            events.callCompleted(false, start);
            throw new DeadlineExceededException(name, remaining, null);
        }
        Compiled now = compiled;
        Timeout<Object> deadlineTimeout = timeout(remaining, now.config.timeout().interrupt(), null);
        List<Policy<Object>> list = new ArrayList<>(now.policies);
        if (now.guardIndex >= 0) {
            list.set(now.guardIndex, ((RetryGuard) list.get(now.guardIndex)).withDeadline(deadline));
        }
        list.add(now.deadlineIndex, deadlineTimeout);
        return call(now, Failsafe.with(list), () -> call.apply(deadline), deadlineTimeout, remaining);
    }

    /**
     * Calls {@code supplier} through this set's policies on a virtual thread. The returned future completes with the
     * result, or exceptionally with the same exceptions {@link #get(CheckedSupplier)} throws (not wrapped in a
     * {@link CompletionException}). It fails with {@link TimeoutExceededException} as soon as an attempt's timeout
     * expires, even if the attempt's code ignores interruption. Cancelling the future cancels the call and interrupts
     * its attempt.
     *
     * @param supplier the call to protect; called once per attempt
     * @param <T>      the result type
     * @return a future of the result
     * @throws NullPointerException if {@code supplier} is {@code null}
     */
    public <T> CompletableFuture<T> getAsync(CheckedSupplier<T> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        Compiled now = compiled;
        long start = startCall(now);
        Map<String, String> mdc = org.slf4j.MDC.getCopyOfContextMap();
        CompletableFuture<T> failsafe = now.executor.getStageAsync(() -> AsyncAttempt.start(supplier, mdc));
        CompletableFuture<T> result = new CompletableFuture<>();
        failsafe.whenComplete((value, error) -> {
            if (error == null) {
                events.callCompleted(true, start);
                result.complete(value);
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                Throwable translated = userFacing(cause, null, null);
                events.callCompleted(false, start);
                result.completeExceptionally(translated);
            }
        });
        result.whenComplete((value, error) -> {
            if (result.isCancelled()) {
                failsafe.cancel(true);
            }
        });
        return result;
    }

    private long startCall(Compiled now) {
        if (now.retryBudget != null) {
            now.retryBudget.recordCall();
        }
        return events.callStarted();
    }

    private <T> T call(Compiled now, FailsafeExecutor<Object> executor, CheckedSupplier<T> supplier,
                       Timeout<Object> deadline, Duration remaining) {
        return complete(executor, supplier, deadline, remaining, startCall(now));
    }

    /**
     * {@link #call} for a set that is a retry and nothing else. The first attempt runs before any Failsafe
     * execution: when it succeeds, that is the call's result, as Failsafe would return it (a retry policy passes a
     * success on untouched). When it fails, a Failsafe execution takes over from there: its first attempt hands back
     * that same failure instead of calling {@code supplier} again, so the retry policy, the guard (budget, deadline),
     * the delays and the events see exactly what they would have seen, and later attempts call {@code supplier}.
     */
    private <T> T firstAttemptFirst(Compiled now, CheckedSupplier<T> supplier) {
        long start = startCall(now);
        T result;
        try {
            result = supplier.get();
        } catch (Throwable first) {
            boolean[] replayed = new boolean[1];
            return complete(now.executor, () -> {
                if (!replayed[0]) {
                    replayed[0] = true;
                    throw first;
                }
                return supplier.get();
            }, null, null, start);
        }
        events.callCompleted(true, start);
        return result;
    }

    private <T> T complete(FailsafeExecutor<Object> executor, CheckedSupplier<T> supplier, Timeout<Object> deadline,
                           Duration remaining, long start) {
        T result;
        try {
            result = executor.get(supplier);
        } catch (RuntimeException | Error e) {
            events.callCompleted(false, start);
            Throwable translated = userFacing(e, deadline, remaining);
            if (translated instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) translated;
        }
        events.callCompleted(true, start);
        return result;
    }

    /** {@link #call} for a set whose only policy is its breaker: the same outcome, without a Failsafe execution. */
    private <T> T direct(Compiled now, CheckedSupplier<T> supplier) {
        long start = startCall(now);
        T result;
        try {
            result = now.breakerOnly.call(supplier);
        } catch (RuntimeException | Error e) {
            events.callCompleted(false, start);
            Throwable translated = userFacing(e, null, null);
            if (translated instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) translated;
        }
        events.callCompleted(true, start);
        return result;
    }

    /**
     * Maps what Failsafe produced to what Flotilla promises callers (and fallbacks), counting rejections.
     */
    private Throwable userFacing(Throwable e, Timeout<Object> deadline, Duration remaining) {
        if (e instanceof RetryStopped stopped) {
            Throwable last = stopped.getCause();
            return last instanceof RuntimeException || last instanceof Error ? last : new FailsafeException(last);
        }
        if (e instanceof CircuitBreakerOpenException) {
            return rejected(CallRejectedException.Reason.CIRCUIT_OPEN, e);
        }
        if (e instanceof BulkheadFullException) {
            return rejected(CallRejectedException.Reason.BULKHEAD_FULL, e);
        }
        if (e instanceof RateLimitExceededException) {
            return rejected(CallRejectedException.Reason.RATE_LIMITED, e);
        }
        if (deadline != null && e instanceof TimeoutExceededException timeout && timeout.getTimeout() == deadline) {
            events.deadlineExceeded();
            return new DeadlineExceededException(name, remaining, e);
        }
        if (e instanceof FailsafeException && e.getCause() instanceof RetryStopped stopped) {
            return userFacing(stopped, deadline, remaining);
        }
        return e;
    }

    private CallRejectedException rejected(CallRejectedException.Reason reason, Throwable cause) {
        events.rejected(reason);
        return new CallRejectedException(name, reason, cause);
    }

    @Override
    public String toString() {
        return "PolicySet[" + name + ", policies=" + compiled.policies.size() + "]";
    }
}
