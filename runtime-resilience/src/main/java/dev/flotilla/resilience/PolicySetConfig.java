package dev.flotilla.resilience;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

import dev.failsafe.function.CheckedFunction;
import io.helidon.config.Config;

/**
 * The immutable settings of one named {@link PolicySet}: how each policy is tuned, the fallback, and in which order the
 * policies are composed.
 *
 * <p>Each policy has its own settings object ({@link #retry()}, {@link #circuitBreaker()}, {@link #timeout()}, {@link
 * #bulkhead()}, {@link #rateLimiter()}, {@link #retryBudget()}) with its own builder, reached from this class's
 * builder:
 *
 * <pre>{@code
 * PolicySetConfig config = PolicySetConfig.builder()
 *         .retry(r -> r.maxAttempts(4).delay(Duration.ofMillis(200)))
 *         .circuitBreaker(cb -> cb.failureRateThreshold(60))
 *         .timeout(t -> t.duration(Duration.ofSeconds(1)))
 *         .build();
 * int attempts = config.retry().maxAttempts();
 * }</pre>
 *
 * <p>Or read settings from a Helidon {@link Config} node with {@link #create(Config)}. Each setting has a
 * configuration key (relative to the set's node, for example {@code retry.max-attempts}) and a {@code DEFAULT_*}
 * constant next to it in its settings type; the defaults are safe for service-to-service calls. Durations in
 * configuration are ISO-8601 ({@code PT0.1S}, {@code PT2S}).
 *
 * <p>Predicates ({@link RetrySettings.Builder#retryOn(Predicate)}, {@link RetrySettings.Builder#abortOn(Predicate)},
 * {@link CircuitBreakerSettings.Builder#failureOn(Predicate)}), the {@linkplain Builder#fallback(CheckedFunction)
 * fallback} and the {@linkplain Builder#order(List) order} are code-only. Instances are immutable and thread-safe.
 */
public final class PolicySetConfig {
    /** The default composition order, outermost first. */
    public static final List<PolicyKind> DEFAULT_ORDER = List.of(PolicyKind.values());

    private static final PolicySetConfig DEFAULTS = new Builder().build();

    private final RetryConfig retry;
    private final CircuitBreakerConfig circuitBreaker;
    private final TimeoutConfig timeout;
    private final BulkheadConfig bulkhead;
    private final RateLimiterConfig rateLimiter;
    private final RetryBudgetConfig retryBudget;
    private final CheckedFunction<Throwable, ?> fallback;
    private final List<PolicyKind> order;

    private PolicySetConfig(Builder b) {
        retry = b.retry.build();
        circuitBreaker = b.circuitBreaker.build();
        timeout = b.timeout.build();
        bulkhead = b.bulkhead.build();
        rateLimiter = b.rateLimiter.build();
        retryBudget = b.retryBudget.build();
        fallback = b.fallback;
        order = b.order;
    }

    /**
     * Returns a builder with every setting at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder that starts from the settings of {@code base}, including its code-only settings.
     *
     * @param base the settings to start from
     * @return a new builder
     * @throws NullPointerException if {@code base} is {@code null}
     */
    public static Builder builder(PolicySetConfig base) {
        Objects.requireNonNull(base, "base");
        return new Builder(base);
    }

    /**
     * Returns the built-in defaults.
     *
     * @return the default settings
     */
    public static PolicySetConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Reads settings from a config node such as {@code resilience.user-service}; keys that are absent keep their
     * defaults.
     *
     * @param node the node holding {@code retry}, {@code circuit-breaker}, {@code timeout}, {@code bulkhead}, {@code
     *             rate-limiter} and {@code retry-budget} sections
     * @return the settings
     * @throws NullPointerException      if {@code node} is {@code null}
     * @throws ResilienceConfigException if the node holds an unknown key or an invalid value, naming the full key
     */
    public static PolicySetConfig create(Config node) {
        Objects.requireNonNull(node, "node");
        return ConfigBinding.build(node, builder().config(node));
    }

    /** {@return the retry settings (section {@code retry})} */
    public RetrySettings retry() {
        return retry;
    }

    /** {@return the circuit-breaker settings (section {@code circuit-breaker})} */
    public CircuitBreakerSettings circuitBreaker() {
        return circuitBreaker;
    }

    /** {@return the attempt-timeout settings (section {@code timeout})} */
    public TimeoutSettings timeout() {
        return timeout;
    }

    /** {@return the bulkhead settings (section {@code bulkhead})} */
    public BulkheadSettings bulkhead() {
        return bulkhead;
    }

    /** {@return the rate-limiter settings (section {@code rate-limiter})} */
    public RateLimiterSettings rateLimiter() {
        return rateLimiter;
    }

    /** {@return the retry-budget settings (section {@code retry-budget})} */
    public RetryBudgetSettings retryBudget() {
        return retryBudget;
    }

    /** {@return the fallback function, if one was set in code} */
    public Optional<CheckedFunction<Throwable, ?>> fallback() {
        return Optional.ofNullable(fallback);
    }

    /** {@return the composition order, outermost first; holds every {@link PolicyKind} once} */
    public List<PolicyKind> order() {
        return order;
    }

    /**
     * Builds {@link PolicySetConfig} instances; every setter, including those of the per-policy builders, checks its
     * argument at once. Not thread-safe.
     */
    public static final class Builder {
        private final RetryConfig.Builder retry;
        private final CircuitBreakerConfig.Builder circuitBreaker;
        private final TimeoutConfig.Builder timeout;
        private final BulkheadConfig.Builder bulkhead;
        private final RateLimiterConfig.Builder rateLimiter;
        private final RetryBudgetConfig.Builder retryBudget;
        private CheckedFunction<Throwable, ?> fallback;
        private List<PolicyKind> order = DEFAULT_ORDER;

        private Builder() {
            retry = new RetryConfig.Builder();
            circuitBreaker = new CircuitBreakerConfig.Builder();
            timeout = new TimeoutConfig.Builder();
            bulkhead = new BulkheadConfig.Builder();
            rateLimiter = new RateLimiterConfig.Builder();
            retryBudget = new RetryBudgetConfig.Builder();
        }

        private Builder(PolicySetConfig c) {
            retry = new RetryConfig.Builder(c.retry);
            circuitBreaker = new CircuitBreakerConfig.Builder(c.circuitBreaker);
            timeout = new TimeoutConfig.Builder(c.timeout);
            bulkhead = new BulkheadConfig.Builder(c.bulkhead);
            rateLimiter = new RateLimiterConfig.Builder(c.rateLimiter);
            retryBudget = new RetryBudgetConfig.Builder(c.retryBudget);
            fallback = c.fallback;
            order = c.order;
        }

        /**
         * Applies every key present under {@code node} on top of this builder's current settings.
         *
         * @param node a policy-set node such as {@code resilience.user-service}
         * @return this builder
         * @throws NullPointerException      if {@code node} is {@code null}
         * @throws ResilienceConfigException if the node holds an unknown key or an invalid value, naming the full key
         */
        public Builder config(Config node) {
            Objects.requireNonNull(node, "node");
            ConfigBinding.apply(node, this);
            return this;
        }

        /**
         * Changes the retry settings; what {@code settings} leaves alone keeps its current value.
         *
         * @param settings changes the retry settings, for example {@code r -> r.maxAttempts(4)}
         * @return this builder
         * @throws NullPointerException     if {@code settings} is {@code null}
         * @throws IllegalArgumentException if {@code settings} passes an invalid value (thrown by the setter)
         */
        public Builder retry(Consumer<RetrySettings.Builder> settings) {
            Objects.requireNonNull(settings, "settings").accept(retry);
            return this;
        }

        /**
         * Changes the circuit-breaker settings; what {@code settings} leaves alone keeps its current value.
         *
         * @param settings changes the circuit-breaker settings, for example {@code cb -> cb.enabled(false)}
         * @return this builder
         * @throws NullPointerException     if {@code settings} is {@code null}
         * @throws IllegalArgumentException if {@code settings} passes an invalid value (thrown by the setter)
         */
        public Builder circuitBreaker(Consumer<CircuitBreakerSettings.Builder> settings) {
            Objects.requireNonNull(settings, "settings").accept(circuitBreaker);
            return this;
        }

        /**
         * Changes the attempt-timeout settings; what {@code settings} leaves alone keeps its current value.
         *
         * @param settings changes the timeout settings, for example {@code t -> t.duration(Duration.ofSeconds(1))}
         * @return this builder
         * @throws NullPointerException     if {@code settings} is {@code null}
         * @throws IllegalArgumentException if {@code settings} passes an invalid value (thrown by the setter)
         */
        public Builder timeout(Consumer<TimeoutSettings.Builder> settings) {
            Objects.requireNonNull(settings, "settings").accept(timeout);
            return this;
        }

        /**
         * Changes the bulkhead settings; what {@code settings} leaves alone keeps its current value.
         *
         * @param settings changes the bulkhead settings, for example {@code bh -> bh.enabled(true).maxConcurrent(10)}
         * @return this builder
         * @throws NullPointerException     if {@code settings} is {@code null}
         * @throws IllegalArgumentException if {@code settings} passes an invalid value (thrown by the setter)
         */
        public Builder bulkhead(Consumer<BulkheadSettings.Builder> settings) {
            Objects.requireNonNull(settings, "settings").accept(bulkhead);
            return this;
        }

        /**
         * Changes the rate-limiter settings; what {@code settings} leaves alone keeps its current value.
         *
         * @param settings changes the rate-limiter settings, for example {@code rl -> rl.enabled(true)}
         * @return this builder
         * @throws NullPointerException     if {@code settings} is {@code null}
         * @throws IllegalArgumentException if {@code settings} passes an invalid value (thrown by the setter)
         */
        public Builder rateLimiter(Consumer<RateLimiterSettings.Builder> settings) {
            Objects.requireNonNull(settings, "settings").accept(rateLimiter);
            return this;
        }

        /**
         * Changes the retry-budget settings; what {@code settings} leaves alone keeps its current value.
         *
         * @param settings changes the retry-budget settings, for example {@code rb -> rb.ratio(0.1)}
         * @return this builder
         * @throws NullPointerException     if {@code settings} is {@code null}
         * @throws IllegalArgumentException if {@code settings} passes an invalid value (thrown by the setter)
         */
        public Builder retryBudget(Consumer<RetryBudgetSettings.Builder> settings) {
            Objects.requireNonNull(settings, "settings").accept(retryBudget);
            return this;
        }

        /**
         * Sets a fallback: when the call fails after all retries (or is rejected), the function gets the final failure
         * and its result is returned to the caller instead. It must return a value of the type each caller expects,
         * or the caller gets a {@link ClassCastException}; use one set per result type when you use a fallback.
         *
         * @param fallback maps the final failure to a result, or throws
         * @return this builder
         * @throws NullPointerException if {@code fallback} is {@code null}
         */
        public Builder fallback(CheckedFunction<Throwable, ?> fallback) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            return this;
        }

        /**
         * Overrides the composition order, outermost first. Kinds that are disabled are skipped.
         *
         * @param order every {@link PolicyKind} exactly once
         * @return this builder
         * @throws NullPointerException     if {@code order} or an element is {@code null}
         * @throws IllegalArgumentException if a kind is missing or repeated
         */
        public Builder order(List<PolicyKind> order) {
            Objects.requireNonNull(order, "order");
            List<PolicyKind> copy = List.copyOf(order);
            if (copy.size() != PolicyKind.values().length || !EnumSet.copyOf(copy).containsAll(DEFAULT_ORDER)) {
                throw new IllegalArgumentException("order must hold every PolicyKind exactly once, was " + order);
            }
            this.order = copy;
            return this;
        }

        /**
         * Builds the settings after checking that they are consistent.
         *
         * @return immutable settings
         * @throws IllegalArgumentException if {@code retry.max-delay} is shorter than {@code retry.delay}
         */
        public PolicySetConfig build() {
            return new PolicySetConfig(this);
        }
    }

    /**
     * How a policy set retries failed attempts: exponential backoff with jitter, capped by a maximum delay. Immutable
     * and thread-safe; not for implementation outside this package.
     */
    public sealed interface RetrySettings permits RetryConfig {
        /** Config key: whether the set retries failed attempts. */
        String ENABLED = "retry.enabled";
        /** Default of {@value #ENABLED}: {@value}. */
        boolean DEFAULT_ENABLED = true;
        /** Config key: total attempts including the first, at least 1 (1 means no retry). */
        String MAX_ATTEMPTS = "retry.max-attempts";
        /** Default of {@value #MAX_ATTEMPTS}: {@value}. */
        int DEFAULT_MAX_ATTEMPTS = 3;
        /** Config key: delay before the first retry, positive. */
        String DELAY = "retry.delay";
        /** Default of {@value #DELAY}: 100 ms. */
        Duration DEFAULT_DELAY = Duration.ofMillis(100);
        /**
         * Config key: the longest delay between attempts, including a server's {@code Retry-After}; at least the
         * delay.
         */
        String MAX_DELAY = "retry.max-delay";
        /** Default of {@value #MAX_DELAY}: 2 s. */
        Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(2);
        /** Config key: factor by which each delay grows, at least 1.0 (1.0 means a fixed delay). */
        String BACKOFF_MULTIPLIER = "retry.backoff-multiplier";
        /** Default of {@value #BACKOFF_MULTIPLIER}: {@value}. */
        double DEFAULT_BACKOFF_MULTIPLIER = 2.0;
        /** Config key: random variation of each delay, as a fraction in [0, 1]; 0.5 gives a delay in [d/2, 3d/2]. */
        String JITTER_FACTOR = "retry.jitter-factor";
        /** Default of {@value #JITTER_FACTOR}: {@value}. */
        double DEFAULT_JITTER_FACTOR = 0.5;

        /** {@return whether retries are enabled ({@value #ENABLED})} */
        boolean enabled();

        /** {@return total attempts including the first ({@value #MAX_ATTEMPTS})} */
        int maxAttempts();

        /** {@return delay before the first retry ({@value #DELAY})} */
        Duration delay();

        /** {@return the longest delay between attempts ({@value #MAX_DELAY})} */
        Duration maxDelay();

        /** {@return the backoff multiplier ({@value #BACKOFF_MULTIPLIER})} */
        double backoffMultiplier();

        /** {@return the jitter factor ({@value #JITTER_FACTOR})} */
        double jitterFactor();

        /** {@return the predicate that selects failures to retry (code-only; default: every exception)} */
        Predicate<Throwable> retryOn();

        /** {@return the predicate that selects failures never to retry (code-only; default: none)} */
        Predicate<Throwable> abortOn();

        /**
         * Changes retry settings, reached through {@link PolicySetConfig.Builder#retry(Consumer)}; every setter
         * checks its argument at once. Not thread-safe.
         */
        sealed interface Builder permits RetryConfig.Builder {
            /**
             * Sets whether failed attempts are retried.
             *
             * @param enabled {@code false} to make a single attempt
             * @return this builder
             */
            Builder enabled(boolean enabled);

            /**
             * Sets the total number of attempts, including the first.
             *
             * @param maxAttempts at least 1
             * @return this builder
             * @throws IllegalArgumentException if {@code maxAttempts < 1}
             */
            Builder maxAttempts(int maxAttempts);

            /**
             * Sets the delay before the first retry; later delays grow by the backoff multiplier.
             *
             * @param delay positive
             * @return this builder
             * @throws NullPointerException     if {@code delay} is {@code null}
             * @throws IllegalArgumentException if {@code delay} is zero or negative
             */
            Builder delay(Duration delay);

            /**
             * Sets the longest delay between attempts, which also caps a server's {@code Retry-After}.
             *
             * @param maxDelay positive, and at least the delay when the settings are built
             * @return this builder
             * @throws NullPointerException     if {@code maxDelay} is {@code null}
             * @throws IllegalArgumentException if {@code maxDelay} is zero or negative
             */
            Builder maxDelay(Duration maxDelay);

            /**
             * Sets the factor by which each delay grows.
             *
             * @param multiplier at least 1.0 (1.0 keeps the delay fixed), at most 100
             * @return this builder
             * @throws IllegalArgumentException if {@code multiplier} is outside [1.0, 100] or not a number
             */
            Builder backoffMultiplier(double multiplier);

            /**
             * Sets the random variation of each delay.
             *
             * @param jitterFactor in [0, 1]; a delay {@code d} becomes a random value in {@code [d(1-f), d(1+f)]}
             * @return this builder
             * @throws IllegalArgumentException if {@code jitterFactor} is outside [0, 1] or not a number
             */
            Builder jitterFactor(double jitterFactor);

            /**
             * Sets which failures are retried. Rejections by this set's own breaker, bulkhead and rate limiter are
             * never retried, whatever the predicate says.
             *
             * @param retryOn returns {@code true} for a failure worth retrying
             * @return this builder
             * @throws NullPointerException if {@code retryOn} is {@code null}
             */
            Builder retryOn(Predicate<Throwable> retryOn);

            /**
             * Sets which failures end the call at once without a retry, even if {@link #retryOn(Predicate)} accepts
             * them.
             *
             * @param abortOn returns {@code true} for a failure that must not be retried
             * @return this builder
             * @throws NullPointerException if {@code abortOn} is {@code null}
             */
            Builder abortOn(Predicate<Throwable> abortOn);
        }
    }

    /**
     * How a policy set's circuit breaker measures failures, when it opens and how it closes again. Immutable and
     * thread-safe; not for implementation outside this package.
     */
    public sealed interface CircuitBreakerSettings permits CircuitBreakerConfig {
        /** Config key: whether the set uses a circuit breaker. */
        String ENABLED = "circuit-breaker.enabled";
        /** Default of {@value #ENABLED}: {@value}. */
        boolean DEFAULT_ENABLED = true;
        /**
         * Config key: {@code count} (the last window-size calls) or {@code time} (the calls of the last
         * window-duration).
         */
        String WINDOW_TYPE = "circuit-breaker.window-type";
        /** Default of {@value #WINDOW_TYPE}: count. */
        WindowType DEFAULT_WINDOW_TYPE = WindowType.COUNT;
        /** Config key: number of recent calls a count window holds, 1 to 10000. */
        String WINDOW_SIZE = "circuit-breaker.window-size";
        /** Default of {@value #WINDOW_SIZE}: {@value}. */
        int DEFAULT_WINDOW_SIZE = 20;
        /** Config key: length of a time window, at least 10 ms. */
        String WINDOW_DURATION = "circuit-breaker.window-duration";
        /** Default of {@value #WINDOW_DURATION}: 10 s. */
        Duration DEFAULT_WINDOW_DURATION = Duration.ofSeconds(10);
        /** Config key: calls a time window needs before it can open the breaker, at least 1. */
        String MINIMUM_CALLS = "circuit-breaker.minimum-calls";
        /** Default of {@value #MINIMUM_CALLS}: {@value}. */
        int DEFAULT_MINIMUM_CALLS = 10;
        /** Config key: percentage of failed calls in the window that opens the breaker, 1 to 100. */
        String FAILURE_RATE_THRESHOLD = "circuit-breaker.failure-rate-threshold";
        /** Default of {@value #FAILURE_RATE_THRESHOLD}: {@value}. */
        int DEFAULT_FAILURE_RATE_THRESHOLD = 50;
        /** Config key: how long an open breaker rejects calls before it lets trial calls through, positive. */
        String OPEN_DELAY = "circuit-breaker.open-delay";
        /** Default of {@value #OPEN_DELAY}: 5 s. */
        Duration DEFAULT_OPEN_DELAY = Duration.ofSeconds(5);
        /** Config key: trial calls a half-open breaker admits; all must succeed to close it, 1 to 1000. */
        String HALF_OPEN_CALLS = "circuit-breaker.half-open-calls";
        /** Default of {@value #HALF_OPEN_CALLS}: {@value}. */
        int DEFAULT_HALF_OPEN_CALLS = 3;

        /**
         * How a circuit breaker measures its recent failure rate.
         */
        enum WindowType {
            /** Over the last {@code window-size} calls. */
            COUNT,
            /** Over the calls of the last {@code window-duration}, once there were {@code minimum-calls}. */
            TIME
        }

        /** {@return whether a circuit breaker is used ({@value #ENABLED})} */
        boolean enabled();

        /** {@return the window type ({@value #WINDOW_TYPE})} */
        WindowType windowType();

        /** {@return calls in a count window ({@value #WINDOW_SIZE})} */
        int windowSize();

        /** {@return length of a time window ({@value #WINDOW_DURATION})} */
        Duration windowDuration();

        /** {@return calls a time window needs before it can open ({@value #MINIMUM_CALLS})} */
        int minimumCalls();

        /** {@return failure percentage that opens the breaker ({@value #FAILURE_RATE_THRESHOLD})} */
        int failureRateThreshold();

        /** {@return how long the breaker stays open ({@value #OPEN_DELAY})} */
        Duration openDelay();

        /** {@return trial calls in half-open state ({@value #HALF_OPEN_CALLS})} */
        int halfOpenCalls();

        /** {@return the predicate that selects exceptions the breaker counts as failures (code-only; default: all)} */
        Predicate<Throwable> failureOn();

        /**
         * Changes circuit-breaker settings, reached through {@link PolicySetConfig.Builder#circuitBreaker(Consumer)};
         * every setter checks its argument at once. Not thread-safe.
         */
        sealed interface Builder permits CircuitBreakerConfig.Builder {
            /**
             * Sets whether the set uses a circuit breaker.
             *
             * @param enabled {@code false} to call without one
             * @return this builder
             */
            Builder enabled(boolean enabled);

            /**
             * Sets how the breaker measures its failure rate.
             *
             * @param windowType count or time
             * @return this builder
             * @throws NullPointerException if {@code windowType} is {@code null}
             */
            Builder windowType(WindowType windowType);

            /**
             * Sets the number of recent calls a count window holds.
             *
             * @param windowSize 1 to 10000
             * @return this builder
             * @throws IllegalArgumentException if {@code windowSize} is outside [1, 10000]
             */
            Builder windowSize(int windowSize);

            /**
             * Sets the length of a time window.
             *
             * @param windowDuration at least 10 ms
             * @return this builder
             * @throws NullPointerException     if {@code windowDuration} is {@code null}
             * @throws IllegalArgumentException if {@code windowDuration} is shorter than 10 ms
             */
            Builder windowDuration(Duration windowDuration);

            /**
             * Sets the number of calls a time window needs before it can open the breaker.
             *
             * @param minimumCalls at least 1
             * @return this builder
             * @throws IllegalArgumentException if {@code minimumCalls < 1}
             */
            Builder minimumCalls(int minimumCalls);

            /**
             * Sets the percentage of failed calls in the window that opens the breaker.
             *
             * @param percent 1 to 100
             * @return this builder
             * @throws IllegalArgumentException if {@code percent} is outside [1, 100]
             */
            Builder failureRateThreshold(int percent);

            /**
             * Sets how long an open breaker rejects calls before it admits trial calls.
             *
             * @param openDelay positive
             * @return this builder
             * @throws NullPointerException     if {@code openDelay} is {@code null}
             * @throws IllegalArgumentException if {@code openDelay} is zero or negative
             */
            Builder openDelay(Duration openDelay);

            /**
             * Sets how many trial calls a half-open breaker admits; all of them must succeed to close it, and one
             * failure opens it again. Flotilla guarantees that no more than this many trial calls run at once.
             *
             * @param halfOpenCalls 1 to 1000
             * @return this builder
             * @throws IllegalArgumentException if {@code halfOpenCalls} is outside [1, 1000]
             */
            Builder halfOpenCalls(int halfOpenCalls);

            /**
             * Sets which exceptions the breaker counts as failures; other exceptions count as successes (the
             * downstream answered), for example a "not found" error.
             *
             * @param failureOn returns {@code true} for an exception that shows the downstream is unhealthy
             * @return this builder
             * @throws NullPointerException if {@code failureOn} is {@code null}
             */
            Builder failureOn(Predicate<Throwable> failureOn);
        }
    }

    /**
     * How long one attempt may take. Immutable and thread-safe; not for implementation outside this package.
     */
    public sealed interface TimeoutSettings permits TimeoutConfig {
        /** Config key: whether each attempt is bounded by a timeout. */
        String ENABLED = "timeout.enabled";
        /** Default of {@value #ENABLED}: {@value}. */
        boolean DEFAULT_ENABLED = true;
        /** Config key: the longest one attempt may take, positive. */
        String DURATION = "timeout.duration";
        /** Default of {@value #DURATION}: 2 s. */
        Duration DEFAULT_DURATION = Duration.ofSeconds(2);
        /** Config key: whether a timed-out attempt's thread is interrupted. */
        String INTERRUPT = "timeout.interrupt";
        /** Default of {@value #INTERRUPT}: {@value}. */
        boolean DEFAULT_INTERRUPT = true;

        /** {@return whether attempts are bounded by a timeout ({@value #ENABLED})} */
        boolean enabled();

        /** {@return the attempt timeout ({@value #DURATION})} */
        Duration duration();

        /** {@return whether a timed-out attempt is interrupted ({@value #INTERRUPT})} */
        boolean interrupt();

        /**
         * Changes timeout settings, reached through {@link PolicySetConfig.Builder#timeout(Consumer)}; every setter
         * checks its argument at once. Not thread-safe.
         */
        sealed interface Builder permits TimeoutConfig.Builder {
            /**
             * Sets whether each attempt is bounded by a timeout.
             *
             * @param enabled {@code false} to let attempts run as long as they take
             * @return this builder
             */
            Builder enabled(boolean enabled);

            /**
             * Sets the longest one attempt may take.
             *
             * @param duration positive
             * @return this builder
             * @throws NullPointerException     if {@code duration} is {@code null}
             * @throws IllegalArgumentException if {@code duration} is zero or negative
             */
            Builder duration(Duration duration);

            /**
             * Sets whether a timed-out attempt's thread is interrupted. Code that ignores interruption keeps running;
             * see {@link PolicySet} for what the caller sees then.
             *
             * @param interrupt {@code true} to interrupt
             * @return this builder
             */
            Builder interrupt(boolean interrupt);
        }
    }

    /**
     * How many calls of a policy set may be in flight at once. Immutable and thread-safe; not for implementation
     * outside this package.
     */
    public sealed interface BulkheadSettings permits BulkheadConfig {
        /** Config key: whether the set caps concurrent calls. */
        String ENABLED = "bulkhead.enabled";
        /** Default of {@value #ENABLED}: {@value}. */
        boolean DEFAULT_ENABLED = false;
        /** Config key: the most calls in flight at once, at least 1. */
        String MAX_CONCURRENT = "bulkhead.max-concurrent";
        /** Default of {@value #MAX_CONCURRENT}: {@value}. */
        int DEFAULT_MAX_CONCURRENT = 25;
        /** Config key: how long a call waits for a free slot before it is rejected, zero or positive. */
        String MAX_WAIT = "bulkhead.max-wait";
        /** Default of {@value #MAX_WAIT}: zero (reject at once). */
        Duration DEFAULT_MAX_WAIT = Duration.ZERO;

        /** {@return whether a bulkhead is used ({@value #ENABLED})} */
        boolean enabled();

        /** {@return the most concurrent calls ({@value #MAX_CONCURRENT})} */
        int maxConcurrent();

        /** {@return the longest wait for a bulkhead slot ({@value #MAX_WAIT})} */
        Duration maxWait();

        /**
         * Changes bulkhead settings, reached through {@link PolicySetConfig.Builder#bulkhead(Consumer)}; every setter
         * checks its argument at once. Not thread-safe.
         */
        sealed interface Builder permits BulkheadConfig.Builder {
            /**
             * Sets whether the set caps concurrent calls.
             *
             * @param enabled {@code true} to use a bulkhead
             * @return this builder
             */
            Builder enabled(boolean enabled);

            /**
             * Sets the most calls in flight at once.
             *
             * @param maxConcurrent at least 1
             * @return this builder
             * @throws IllegalArgumentException if {@code maxConcurrent < 1}
             */
            Builder maxConcurrent(int maxConcurrent);

            /**
             * Sets how long a call waits for a free bulkhead slot.
             *
             * @param maxWait zero (reject at once) or positive
             * @return this builder
             * @throws NullPointerException     if {@code maxWait} is {@code null}
             * @throws IllegalArgumentException if {@code maxWait} is negative
             */
            Builder maxWait(Duration maxWait);
        }
    }

    /**
     * How many calls per second a policy set lets through. Immutable and thread-safe; not for implementation outside
     * this package.
     */
    public sealed interface RateLimiterSettings permits RateLimiterConfig {
        /** Config key: whether the set caps the rate of calls. */
        String ENABLED = "rate-limiter.enabled";
        /** Default of {@value #ENABLED}: {@value}. */
        boolean DEFAULT_ENABLED = false;
        /** Config key: calls permitted per second, at least 1. */
        String PERMITS_PER_SECOND = "rate-limiter.permits-per-second";
        /** Default of {@value #PERMITS_PER_SECOND}: {@value}. */
        int DEFAULT_PERMITS_PER_SECOND = 100;
        /** Config key: how long a call waits for a permit before it is rejected, zero or positive. */
        String MAX_WAIT = "rate-limiter.max-wait";
        /** Default of {@value #MAX_WAIT}: zero (reject at once). */
        Duration DEFAULT_MAX_WAIT = Duration.ZERO;
        /** Config key: {@code true} lets a whole second's permits go at once; {@code false} spaces them evenly. */
        String BURSTY = "rate-limiter.bursty";
        /** Default of {@value #BURSTY}: {@value}. */
        boolean DEFAULT_BURSTY = false;

        /** {@return whether a rate limiter is used ({@value #ENABLED})} */
        boolean enabled();

        /** {@return permits per second ({@value #PERMITS_PER_SECOND})} */
        int permitsPerSecond();

        /** {@return the longest wait for a permit ({@value #MAX_WAIT})} */
        Duration maxWait();

        /** {@return whether the rate limiter is bursty ({@value #BURSTY})} */
        boolean bursty();

        /**
         * Changes rate-limiter settings, reached through {@link PolicySetConfig.Builder#rateLimiter(Consumer)}; every
         * setter checks its argument at once. Not thread-safe.
         */
        sealed interface Builder permits RateLimiterConfig.Builder {
            /**
             * Sets whether the set caps the rate of calls.
             *
             * @param enabled {@code true} to use a rate limiter
             * @return this builder
             */
            Builder enabled(boolean enabled);

            /**
             * Sets the number of calls permitted per second.
             *
             * @param permitsPerSecond at least 1
             * @return this builder
             * @throws IllegalArgumentException if {@code permitsPerSecond < 1}
             */
            Builder permitsPerSecond(int permitsPerSecond);

            /**
             * Sets how long a call waits for a rate-limiter permit.
             *
             * @param maxWait zero (reject at once) or positive
             * @return this builder
             * @throws NullPointerException     if {@code maxWait} is {@code null}
             * @throws IllegalArgumentException if {@code maxWait} is negative
             */
            Builder maxWait(Duration maxWait);

            /**
             * Sets whether a whole second's permits may be used at once ({@code true}) or are spread evenly.
             *
             * @param bursty {@code true} for a bursty limiter
             * @return this builder
             */
            Builder bursty(boolean bursty);
        }
    }

    /**
     * How the set's {@link dev.flotilla.resilience.RetryBudget} caps retries to a fraction of recent calls. Immutable
     * and thread-safe; not for implementation outside this package.
     */
    public sealed interface RetryBudgetSettings permits RetryBudgetConfig {
        /** Config key: whether retries are capped by a {@link dev.flotilla.resilience.RetryBudget}. */
        String ENABLED = "retry-budget.enabled";
        /** Default of {@value #ENABLED}: {@value}. */
        boolean DEFAULT_ENABLED = true;
        /** Config key: retry tokens each call deposits, in [0, 1]; 0.2 lets retries add at most 20% load. */
        String RATIO = "retry-budget.ratio";
        /** Default of {@value #RATIO}: {@value}. */
        double DEFAULT_RATIO = 0.2;
        /** Config key: retry tokens added per second whatever the traffic, 0 to 10000. */
        String MIN_PER_SECOND = "retry-budget.min-per-second";
        /** Default of {@value #MIN_PER_SECOND}: {@value}. */
        int DEFAULT_MIN_PER_SECOND = 10;
        /** Config key: the most retry tokens the bucket holds (and starts with), 1 to 1000000. */
        String MAX_TOKENS = "retry-budget.max-tokens";
        /** Default of {@value #MAX_TOKENS}: {@value}. */
        int DEFAULT_MAX_TOKENS = 100;

        /** {@return whether a retry budget caps retries ({@value #ENABLED})} */
        boolean enabled();

        /** {@return tokens deposited per call ({@value #RATIO})} */
        double ratio();

        /** {@return tokens added per second ({@value #MIN_PER_SECOND})} */
        int minPerSecond();

        /** {@return the bucket's capacity ({@value #MAX_TOKENS})} */
        int maxTokens();

        /**
         * Changes retry-budget settings, reached through {@link PolicySetConfig.Builder#retryBudget(Consumer)}; every
         * setter checks its argument at once. Not thread-safe.
         */
        sealed interface Builder permits RetryBudgetConfig.Builder {
            /**
             * Sets whether retries are capped by a {@link dev.flotilla.resilience.RetryBudget}.
             *
             * @param enabled {@code false} to retry without a budget
             * @return this builder
             */
            Builder enabled(boolean enabled);

            /**
             * Sets the retry tokens each call deposits.
             *
             * @param ratio in [0, 1]
             * @return this builder
             * @throws IllegalArgumentException if {@code ratio} is outside [0, 1] or not a number
             */
            Builder ratio(double ratio);

            /**
             * Sets the retry tokens added per second whatever the traffic.
             *
             * @param minPerSecond 0 to 10000
             * @return this builder
             * @throws IllegalArgumentException if {@code minPerSecond} is outside [0, 10000]
             */
            Builder minPerSecond(int minPerSecond);

            /**
             * Sets the most retry tokens the bucket holds; it starts full.
             *
             * @param maxTokens 1 to 1000000
             * @return this builder
             * @throws IllegalArgumentException if {@code maxTokens} is outside [1, 1000000]
             */
            Builder maxTokens(int maxTokens);
        }
    }
}
