package dev.flotilla.resilience;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

import dev.failsafe.function.CheckedFunction;
import io.helidon.config.Config;

/**
 * The immutable settings of one named {@link PolicySet}: which policies it uses, how each is tuned, and in which order
 * they are composed.
 *
 * <p>Build one in code with {@link #builder()}, or read one from a Helidon {@link Config} node with {@link
 * #create(Config)}. Each setting has a configuration key (relative to the set's node, for example {@code
 * retry.max-attempts}) and a {@code DEFAULT_*} constant next to it; the defaults are safe for service-to-service calls.
 * Durations in configuration are ISO-8601 ({@code PT0.1S}, {@code PT2S}).
 *
 * <p>Predicates ({@link Builder#retryOn(Predicate)}, {@link Builder#abortOn(Predicate)}, {@link
 * Builder#circuitBreakerFailureOn(Predicate)}), the {@linkplain Builder#fallback(CheckedFunction) fallback} and the
 * {@linkplain Builder#order(List) order} are code-only. Instances are immutable and thread-safe.
 */
public final class PolicySetConfig {
    /** Config key: whether the set retries failed attempts. */
    public static final String RETRY_ENABLED = "retry.enabled";
    /** Default of {@value #RETRY_ENABLED}: {@value}. */
    public static final boolean DEFAULT_RETRY_ENABLED = true;
    /** Config key: total attempts including the first, at least 1 (1 means no retry). */
    public static final String RETRY_MAX_ATTEMPTS = "retry.max-attempts";
    /** Default of {@value #RETRY_MAX_ATTEMPTS}: {@value}. */
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 3;
    /** Config key: delay before the first retry, positive. */
    public static final String RETRY_DELAY = "retry.delay";
    /** Default of {@value #RETRY_DELAY}: 100 ms. */
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(100);
    /** Config key: the longest delay between attempts, including a server's {@code Retry-After}; at least the delay. */
    public static final String RETRY_MAX_DELAY = "retry.max-delay";
    /** Default of {@value #RETRY_MAX_DELAY}: 2 s. */
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(2);
    /** Config key: factor by which each delay grows, at least 1.0 (1.0 means a fixed delay). */
    public static final String RETRY_BACKOFF_MULTIPLIER = "retry.backoff-multiplier";
    /** Default of {@value #RETRY_BACKOFF_MULTIPLIER}: {@value}. */
    public static final double DEFAULT_RETRY_BACKOFF_MULTIPLIER = 2.0;
    /** Config key: random variation of each delay, as a fraction in [0, 1]; 0.5 gives a delay in [d/2, 3d/2]. */
    public static final String RETRY_JITTER_FACTOR = "retry.jitter-factor";
    /** Default of {@value #RETRY_JITTER_FACTOR}: {@value}. */
    public static final double DEFAULT_RETRY_JITTER_FACTOR = 0.5;

    /** Config key: whether the set uses a circuit breaker. */
    public static final String CIRCUIT_BREAKER_ENABLED = "circuit-breaker.enabled";
    /** Default of {@value #CIRCUIT_BREAKER_ENABLED}: {@value}. */
    public static final boolean DEFAULT_CIRCUIT_BREAKER_ENABLED = true;
    /** Config key: {@code count} (the last window-size calls) or {@code time} (the calls of the last window-duration). */
    public static final String CIRCUIT_BREAKER_WINDOW_TYPE = "circuit-breaker.window-type";
    /** Default of {@value #CIRCUIT_BREAKER_WINDOW_TYPE}: count. */
    public static final WindowType DEFAULT_CIRCUIT_BREAKER_WINDOW_TYPE = WindowType.COUNT;
    /** Config key: number of recent calls a count window holds, 1 to 10000. */
    public static final String CIRCUIT_BREAKER_WINDOW_SIZE = "circuit-breaker.window-size";
    /** Default of {@value #CIRCUIT_BREAKER_WINDOW_SIZE}: {@value}. */
    public static final int DEFAULT_CIRCUIT_BREAKER_WINDOW_SIZE = 20;
    /** Config key: length of a time window, at least 10 ms. */
    public static final String CIRCUIT_BREAKER_WINDOW_DURATION = "circuit-breaker.window-duration";
    /** Default of {@value #CIRCUIT_BREAKER_WINDOW_DURATION}: 10 s. */
    public static final Duration DEFAULT_CIRCUIT_BREAKER_WINDOW_DURATION = Duration.ofSeconds(10);
    /** Config key: calls a time window needs before it can open the breaker, at least 1. */
    public static final String CIRCUIT_BREAKER_MINIMUM_CALLS = "circuit-breaker.minimum-calls";
    /** Default of {@value #CIRCUIT_BREAKER_MINIMUM_CALLS}: {@value}. */
    public static final int DEFAULT_CIRCUIT_BREAKER_MINIMUM_CALLS = 10;
    /** Config key: percentage of failed calls in the window that opens the breaker, 1 to 100. */
    public static final String CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD = "circuit-breaker.failure-rate-threshold";
    /** Default of {@value #CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD}: {@value}. */
    public static final int DEFAULT_CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD = 50;
    /** Config key: how long an open breaker rejects calls before it lets trial calls through, positive. */
    public static final String CIRCUIT_BREAKER_OPEN_DELAY = "circuit-breaker.open-delay";
    /** Default of {@value #CIRCUIT_BREAKER_OPEN_DELAY}: 5 s. */
    public static final Duration DEFAULT_CIRCUIT_BREAKER_OPEN_DELAY = Duration.ofSeconds(5);
    /** Config key: trial calls a half-open breaker admits; all must succeed to close it, 1 to 1000. */
    public static final String CIRCUIT_BREAKER_HALF_OPEN_CALLS = "circuit-breaker.half-open-calls";
    /** Default of {@value #CIRCUIT_BREAKER_HALF_OPEN_CALLS}: {@value}. */
    public static final int DEFAULT_CIRCUIT_BREAKER_HALF_OPEN_CALLS = 3;

    /** Config key: whether each attempt is bounded by a timeout. */
    public static final String TIMEOUT_ENABLED = "timeout.enabled";
    /** Default of {@value #TIMEOUT_ENABLED}: {@value}. */
    public static final boolean DEFAULT_TIMEOUT_ENABLED = true;
    /** Config key: the longest one attempt may take, positive. */
    public static final String TIMEOUT_DURATION = "timeout.duration";
    /** Default of {@value #TIMEOUT_DURATION}: 2 s. */
    public static final Duration DEFAULT_TIMEOUT_DURATION = Duration.ofSeconds(2);
    /** Config key: whether a timed-out attempt's thread is interrupted. */
    public static final String TIMEOUT_INTERRUPT = "timeout.interrupt";
    /** Default of {@value #TIMEOUT_INTERRUPT}: {@value}. */
    public static final boolean DEFAULT_TIMEOUT_INTERRUPT = true;

    /** Config key: whether the set caps concurrent calls. */
    public static final String BULKHEAD_ENABLED = "bulkhead.enabled";
    /** Default of {@value #BULKHEAD_ENABLED}: {@value}. */
    public static final boolean DEFAULT_BULKHEAD_ENABLED = false;
    /** Config key: the most calls in flight at once, at least 1. */
    public static final String BULKHEAD_MAX_CONCURRENT = "bulkhead.max-concurrent";
    /** Default of {@value #BULKHEAD_MAX_CONCURRENT}: {@value}. */
    public static final int DEFAULT_BULKHEAD_MAX_CONCURRENT = 25;
    /** Config key: how long a call waits for a free slot before it is rejected, zero or positive. */
    public static final String BULKHEAD_MAX_WAIT = "bulkhead.max-wait";
    /** Default of {@value #BULKHEAD_MAX_WAIT}: zero (reject at once). */
    public static final Duration DEFAULT_BULKHEAD_MAX_WAIT = Duration.ZERO;

    /** Config key: whether the set caps the rate of calls. */
    public static final String RATE_LIMITER_ENABLED = "rate-limiter.enabled";
    /** Default of {@value #RATE_LIMITER_ENABLED}: {@value}. */
    public static final boolean DEFAULT_RATE_LIMITER_ENABLED = false;
    /** Config key: calls permitted per second, at least 1. */
    public static final String RATE_LIMITER_PERMITS_PER_SECOND = "rate-limiter.permits-per-second";
    /** Default of {@value #RATE_LIMITER_PERMITS_PER_SECOND}: {@value}. */
    public static final int DEFAULT_RATE_LIMITER_PERMITS_PER_SECOND = 100;
    /** Config key: how long a call waits for a permit before it is rejected, zero or positive. */
    public static final String RATE_LIMITER_MAX_WAIT = "rate-limiter.max-wait";
    /** Default of {@value #RATE_LIMITER_MAX_WAIT}: zero (reject at once). */
    public static final Duration DEFAULT_RATE_LIMITER_MAX_WAIT = Duration.ZERO;
    /** Config key: {@code true} lets a whole second's permits go at once; {@code false} spaces them evenly. */
    public static final String RATE_LIMITER_BURSTY = "rate-limiter.bursty";
    /** Default of {@value #RATE_LIMITER_BURSTY}: {@value}. */
    public static final boolean DEFAULT_RATE_LIMITER_BURSTY = false;

    /** Config key: whether retries are capped by a {@link RetryBudget}. */
    public static final String RETRY_BUDGET_ENABLED = "retry-budget.enabled";
    /** Default of {@value #RETRY_BUDGET_ENABLED}: {@value}. */
    public static final boolean DEFAULT_RETRY_BUDGET_ENABLED = true;
    /** Config key: retry tokens each call deposits, in [0, 1]; 0.2 lets retries add at most 20% load. */
    public static final String RETRY_BUDGET_RATIO = "retry-budget.ratio";
    /** Default of {@value #RETRY_BUDGET_RATIO}: {@value}. */
    public static final double DEFAULT_RETRY_BUDGET_RATIO = 0.2;
    /** Config key: retry tokens added per second whatever the traffic, 0 to 10000. */
    public static final String RETRY_BUDGET_MIN_PER_SECOND = "retry-budget.min-per-second";
    /** Default of {@value #RETRY_BUDGET_MIN_PER_SECOND}: {@value}. */
    public static final int DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;
    /** Config key: the most retry tokens the bucket holds (and starts with), 1 to 1000000. */
    public static final String RETRY_BUDGET_MAX_TOKENS = "retry-budget.max-tokens";
    /** Default of {@value #RETRY_BUDGET_MAX_TOKENS}: {@value}. */
    public static final int DEFAULT_RETRY_BUDGET_MAX_TOKENS = 100;

    /** The default composition order, outermost first. */
    public static final List<PolicyKind> DEFAULT_ORDER = List.of(PolicyKind.values());

    /**
     * How a circuit breaker measures its recent failure rate.
     */
    public enum WindowType {
        /** Over the last {@code window-size} calls. */
        COUNT,
        /** Over the calls of the last {@code window-duration}, once there were {@code minimum-calls}. */
        TIME
    }

    private static final PolicySetConfig DEFAULTS = new Builder().build();

    private final boolean retryEnabled;
    private final int retryMaxAttempts;
    private final Duration retryDelay;
    private final Duration retryMaxDelay;
    private final double retryBackoffMultiplier;
    private final double retryJitterFactor;
    private final Predicate<Throwable> retryOn;
    private final Predicate<Throwable> abortOn;
    private final boolean circuitBreakerEnabled;
    private final WindowType circuitBreakerWindowType;
    private final int circuitBreakerWindowSize;
    private final Duration circuitBreakerWindowDuration;
    private final int circuitBreakerMinimumCalls;
    private final int circuitBreakerFailureRateThreshold;
    private final Duration circuitBreakerOpenDelay;
    private final int circuitBreakerHalfOpenCalls;
    private final Predicate<Throwable> circuitBreakerFailureOn;
    private final boolean timeoutEnabled;
    private final Duration timeoutDuration;
    private final boolean timeoutInterrupt;
    private final boolean bulkheadEnabled;
    private final int bulkheadMaxConcurrent;
    private final Duration bulkheadMaxWait;
    private final boolean rateLimiterEnabled;
    private final int rateLimiterPermitsPerSecond;
    private final Duration rateLimiterMaxWait;
    private final boolean rateLimiterBursty;
    private final boolean retryBudgetEnabled;
    private final double retryBudgetRatio;
    private final int retryBudgetMinPerSecond;
    private final int retryBudgetMaxTokens;
    private final CheckedFunction<Throwable, ?> fallback;
    private final List<PolicyKind> order;

    private PolicySetConfig(Builder b) {
        retryEnabled = b.retryEnabled;
        retryMaxAttempts = b.retryMaxAttempts;
        retryDelay = b.retryDelay;
        retryMaxDelay = b.retryMaxDelay;
        retryBackoffMultiplier = b.retryBackoffMultiplier;
        retryJitterFactor = b.retryJitterFactor;
        retryOn = b.retryOn;
        abortOn = b.abortOn;
        circuitBreakerEnabled = b.circuitBreakerEnabled;
        circuitBreakerWindowType = b.circuitBreakerWindowType;
        circuitBreakerWindowSize = b.circuitBreakerWindowSize;
        circuitBreakerWindowDuration = b.circuitBreakerWindowDuration;
        circuitBreakerMinimumCalls = b.circuitBreakerMinimumCalls;
        circuitBreakerFailureRateThreshold = b.circuitBreakerFailureRateThreshold;
        circuitBreakerOpenDelay = b.circuitBreakerOpenDelay;
        circuitBreakerHalfOpenCalls = b.circuitBreakerHalfOpenCalls;
        circuitBreakerFailureOn = b.circuitBreakerFailureOn;
        timeoutEnabled = b.timeoutEnabled;
        timeoutDuration = b.timeoutDuration;
        timeoutInterrupt = b.timeoutInterrupt;
        bulkheadEnabled = b.bulkheadEnabled;
        bulkheadMaxConcurrent = b.bulkheadMaxConcurrent;
        bulkheadMaxWait = b.bulkheadMaxWait;
        rateLimiterEnabled = b.rateLimiterEnabled;
        rateLimiterPermitsPerSecond = b.rateLimiterPermitsPerSecond;
        rateLimiterMaxWait = b.rateLimiterMaxWait;
        rateLimiterBursty = b.rateLimiterBursty;
        retryBudgetEnabled = b.retryBudgetEnabled;
        retryBudgetRatio = b.retryBudgetRatio;
        retryBudgetMinPerSecond = b.retryBudgetMinPerSecond;
        retryBudgetMaxTokens = b.retryBudgetMaxTokens;
        fallback = b.fallback;
        order = List.copyOf(b.order);
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
     * @throws NullPointerException       if {@code node} is {@code null}
     * @throws ResilienceConfigException  if the node holds an unknown key or an invalid value, naming the full key
     */
    public static PolicySetConfig create(Config node) {
        Objects.requireNonNull(node, "node");
        return ConfigBinding.build(node, builder().config(node));
    }

    /** @return whether retries are enabled ({@value #RETRY_ENABLED}) */
    public boolean retryEnabled() {
        return retryEnabled;
    }

    /** @return total attempts including the first ({@value #RETRY_MAX_ATTEMPTS}) */
    public int retryMaxAttempts() {
        return retryMaxAttempts;
    }

    /** @return delay before the first retry ({@value #RETRY_DELAY}) */
    public Duration retryDelay() {
        return retryDelay;
    }

    /** @return the longest delay between attempts ({@value #RETRY_MAX_DELAY}) */
    public Duration retryMaxDelay() {
        return retryMaxDelay;
    }

    /** @return the backoff multiplier ({@value #RETRY_BACKOFF_MULTIPLIER}) */
    public double retryBackoffMultiplier() {
        return retryBackoffMultiplier;
    }

    /** @return the jitter factor ({@value #RETRY_JITTER_FACTOR}) */
    public double retryJitterFactor() {
        return retryJitterFactor;
    }

    /** @return the predicate that selects failures to retry (code-only; default: every exception) */
    public Predicate<Throwable> retryOn() {
        return retryOn;
    }

    /** @return the predicate that selects failures never to retry (code-only; default: none) */
    public Predicate<Throwable> abortOn() {
        return abortOn;
    }

    /** @return whether a circuit breaker is used ({@value #CIRCUIT_BREAKER_ENABLED}) */
    public boolean circuitBreakerEnabled() {
        return circuitBreakerEnabled;
    }

    /** @return the window type ({@value #CIRCUIT_BREAKER_WINDOW_TYPE}) */
    public WindowType circuitBreakerWindowType() {
        return circuitBreakerWindowType;
    }

    /** @return calls in a count window ({@value #CIRCUIT_BREAKER_WINDOW_SIZE}) */
    public int circuitBreakerWindowSize() {
        return circuitBreakerWindowSize;
    }

    /** @return length of a time window ({@value #CIRCUIT_BREAKER_WINDOW_DURATION}) */
    public Duration circuitBreakerWindowDuration() {
        return circuitBreakerWindowDuration;
    }

    /** @return calls a time window needs before it can open ({@value #CIRCUIT_BREAKER_MINIMUM_CALLS}) */
    public int circuitBreakerMinimumCalls() {
        return circuitBreakerMinimumCalls;
    }

    /** @return failure percentage that opens the breaker ({@value #CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD}) */
    public int circuitBreakerFailureRateThreshold() {
        return circuitBreakerFailureRateThreshold;
    }

    /** @return how long the breaker stays open ({@value #CIRCUIT_BREAKER_OPEN_DELAY}) */
    public Duration circuitBreakerOpenDelay() {
        return circuitBreakerOpenDelay;
    }

    /** @return trial calls in half-open state ({@value #CIRCUIT_BREAKER_HALF_OPEN_CALLS}) */
    public int circuitBreakerHalfOpenCalls() {
        return circuitBreakerHalfOpenCalls;
    }

    /** @return the predicate that selects exceptions the breaker counts as failures (code-only; default: all) */
    public Predicate<Throwable> circuitBreakerFailureOn() {
        return circuitBreakerFailureOn;
    }

    /** @return whether attempts are bounded by a timeout ({@value #TIMEOUT_ENABLED}) */
    public boolean timeoutEnabled() {
        return timeoutEnabled;
    }

    /** @return the attempt timeout ({@value #TIMEOUT_DURATION}) */
    public Duration timeoutDuration() {
        return timeoutDuration;
    }

    /** @return whether a timed-out attempt is interrupted ({@value #TIMEOUT_INTERRUPT}) */
    public boolean timeoutInterrupt() {
        return timeoutInterrupt;
    }

    /** @return whether a bulkhead is used ({@value #BULKHEAD_ENABLED}) */
    public boolean bulkheadEnabled() {
        return bulkheadEnabled;
    }

    /** @return the most concurrent calls ({@value #BULKHEAD_MAX_CONCURRENT}) */
    public int bulkheadMaxConcurrent() {
        return bulkheadMaxConcurrent;
    }

    /** @return the longest wait for a bulkhead slot ({@value #BULKHEAD_MAX_WAIT}) */
    public Duration bulkheadMaxWait() {
        return bulkheadMaxWait;
    }

    /** @return whether a rate limiter is used ({@value #RATE_LIMITER_ENABLED}) */
    public boolean rateLimiterEnabled() {
        return rateLimiterEnabled;
    }

    /** @return permits per second ({@value #RATE_LIMITER_PERMITS_PER_SECOND}) */
    public int rateLimiterPermitsPerSecond() {
        return rateLimiterPermitsPerSecond;
    }

    /** @return the longest wait for a permit ({@value #RATE_LIMITER_MAX_WAIT}) */
    public Duration rateLimiterMaxWait() {
        return rateLimiterMaxWait;
    }

    /** @return whether the rate limiter is bursty ({@value #RATE_LIMITER_BURSTY}) */
    public boolean rateLimiterBursty() {
        return rateLimiterBursty;
    }

    /** @return whether a retry budget caps retries ({@value #RETRY_BUDGET_ENABLED}) */
    public boolean retryBudgetEnabled() {
        return retryBudgetEnabled;
    }

    /** @return tokens deposited per call ({@value #RETRY_BUDGET_RATIO}) */
    public double retryBudgetRatio() {
        return retryBudgetRatio;
    }

    /** @return tokens added per second ({@value #RETRY_BUDGET_MIN_PER_SECOND}) */
    public int retryBudgetMinPerSecond() {
        return retryBudgetMinPerSecond;
    }

    /** @return the bucket's capacity ({@value #RETRY_BUDGET_MAX_TOKENS}) */
    public int retryBudgetMaxTokens() {
        return retryBudgetMaxTokens;
    }

    /** @return the fallback function, if one was set in code */
    public Optional<CheckedFunction<Throwable, ?>> fallback() {
        return Optional.ofNullable(fallback);
    }

    /** @return the composition order, outermost first; holds every {@link PolicyKind} once */
    public List<PolicyKind> order() {
        return order;
    }

    /**
     * Builds {@link PolicySetConfig} instances; every setter checks its argument at once. Not thread-safe.
     */
    public static final class Builder {
        private boolean retryEnabled = DEFAULT_RETRY_ENABLED;
        private int retryMaxAttempts = DEFAULT_RETRY_MAX_ATTEMPTS;
        private Duration retryDelay = DEFAULT_RETRY_DELAY;
        private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;
        private double retryBackoffMultiplier = DEFAULT_RETRY_BACKOFF_MULTIPLIER;
        private double retryJitterFactor = DEFAULT_RETRY_JITTER_FACTOR;
        private Predicate<Throwable> retryOn = e -> true;
        private Predicate<Throwable> abortOn = e -> false;
        private boolean circuitBreakerEnabled = DEFAULT_CIRCUIT_BREAKER_ENABLED;
        private WindowType circuitBreakerWindowType = DEFAULT_CIRCUIT_BREAKER_WINDOW_TYPE;
        private int circuitBreakerWindowSize = DEFAULT_CIRCUIT_BREAKER_WINDOW_SIZE;
        private Duration circuitBreakerWindowDuration = DEFAULT_CIRCUIT_BREAKER_WINDOW_DURATION;
        private int circuitBreakerMinimumCalls = DEFAULT_CIRCUIT_BREAKER_MINIMUM_CALLS;
        private int circuitBreakerFailureRateThreshold = DEFAULT_CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD;
        private Duration circuitBreakerOpenDelay = DEFAULT_CIRCUIT_BREAKER_OPEN_DELAY;
        private int circuitBreakerHalfOpenCalls = DEFAULT_CIRCUIT_BREAKER_HALF_OPEN_CALLS;
        private Predicate<Throwable> circuitBreakerFailureOn = e -> true;
        private boolean timeoutEnabled = DEFAULT_TIMEOUT_ENABLED;
        private Duration timeoutDuration = DEFAULT_TIMEOUT_DURATION;
        private boolean timeoutInterrupt = DEFAULT_TIMEOUT_INTERRUPT;
        private boolean bulkheadEnabled = DEFAULT_BULKHEAD_ENABLED;
        private int bulkheadMaxConcurrent = DEFAULT_BULKHEAD_MAX_CONCURRENT;
        private Duration bulkheadMaxWait = DEFAULT_BULKHEAD_MAX_WAIT;
        private boolean rateLimiterEnabled = DEFAULT_RATE_LIMITER_ENABLED;
        private int rateLimiterPermitsPerSecond = DEFAULT_RATE_LIMITER_PERMITS_PER_SECOND;
        private Duration rateLimiterMaxWait = DEFAULT_RATE_LIMITER_MAX_WAIT;
        private boolean rateLimiterBursty = DEFAULT_RATE_LIMITER_BURSTY;
        private boolean retryBudgetEnabled = DEFAULT_RETRY_BUDGET_ENABLED;
        private double retryBudgetRatio = DEFAULT_RETRY_BUDGET_RATIO;
        private int retryBudgetMinPerSecond = DEFAULT_RETRY_BUDGET_MIN_PER_SECOND;
        private int retryBudgetMaxTokens = DEFAULT_RETRY_BUDGET_MAX_TOKENS;
        private CheckedFunction<Throwable, ?> fallback;
        private List<PolicyKind> order = DEFAULT_ORDER;

        private Builder() {
        }

        private Builder(PolicySetConfig c) {
            retryEnabled = c.retryEnabled;
            retryMaxAttempts = c.retryMaxAttempts;
            retryDelay = c.retryDelay;
            retryMaxDelay = c.retryMaxDelay;
            retryBackoffMultiplier = c.retryBackoffMultiplier;
            retryJitterFactor = c.retryJitterFactor;
            retryOn = c.retryOn;
            abortOn = c.abortOn;
            circuitBreakerEnabled = c.circuitBreakerEnabled;
            circuitBreakerWindowType = c.circuitBreakerWindowType;
            circuitBreakerWindowSize = c.circuitBreakerWindowSize;
            circuitBreakerWindowDuration = c.circuitBreakerWindowDuration;
            circuitBreakerMinimumCalls = c.circuitBreakerMinimumCalls;
            circuitBreakerFailureRateThreshold = c.circuitBreakerFailureRateThreshold;
            circuitBreakerOpenDelay = c.circuitBreakerOpenDelay;
            circuitBreakerHalfOpenCalls = c.circuitBreakerHalfOpenCalls;
            circuitBreakerFailureOn = c.circuitBreakerFailureOn;
            timeoutEnabled = c.timeoutEnabled;
            timeoutDuration = c.timeoutDuration;
            timeoutInterrupt = c.timeoutInterrupt;
            bulkheadEnabled = c.bulkheadEnabled;
            bulkheadMaxConcurrent = c.bulkheadMaxConcurrent;
            bulkheadMaxWait = c.bulkheadMaxWait;
            rateLimiterEnabled = c.rateLimiterEnabled;
            rateLimiterPermitsPerSecond = c.rateLimiterPermitsPerSecond;
            rateLimiterMaxWait = c.rateLimiterMaxWait;
            rateLimiterBursty = c.rateLimiterBursty;
            retryBudgetEnabled = c.retryBudgetEnabled;
            retryBudgetRatio = c.retryBudgetRatio;
            retryBudgetMinPerSecond = c.retryBudgetMinPerSecond;
            retryBudgetMaxTokens = c.retryBudgetMaxTokens;
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
         * Sets whether failed attempts are retried.
         *
         * @param enabled {@code false} to make a single attempt
         * @return this builder
         */
        public Builder retryEnabled(boolean enabled) {
            this.retryEnabled = enabled;
            return this;
        }

        /**
         * Sets the total number of attempts, including the first.
         *
         * @param maxAttempts at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxAttempts < 1}
         */
        public Builder retryMaxAttempts(int maxAttempts) {
            this.retryMaxAttempts = atLeast(maxAttempts, 1, "maxAttempts");
            return this;
        }

        /**
         * Sets the delay before the first retry; later delays grow by the backoff multiplier.
         *
         * @param delay positive
         * @return this builder
         * @throws NullPointerException     if {@code delay} is {@code null}
         * @throws IllegalArgumentException if {@code delay} is zero or negative
         */
        public Builder retryDelay(Duration delay) {
            this.retryDelay = positive(delay, "delay");
            return this;
        }

        /**
         * Sets the longest delay between attempts, which also caps a server's {@code Retry-After}.
         *
         * @param maxDelay positive, and at least the delay when the builder is built
         * @return this builder
         * @throws NullPointerException     if {@code maxDelay} is {@code null}
         * @throws IllegalArgumentException if {@code maxDelay} is zero or negative
         */
        public Builder retryMaxDelay(Duration maxDelay) {
            this.retryMaxDelay = positive(maxDelay, "maxDelay");
            return this;
        }

        /**
         * Sets the factor by which each delay grows.
         *
         * @param multiplier at least 1.0 (1.0 keeps the delay fixed), at most 100
         * @return this builder
         * @throws IllegalArgumentException if {@code multiplier} is outside [1.0, 100] or not a number
         */
        public Builder retryBackoffMultiplier(double multiplier) {
            this.retryBackoffMultiplier = between(multiplier, 1.0, 100.0, "multiplier");
            return this;
        }

        /**
         * Sets the random variation of each delay.
         *
         * @param jitterFactor in [0, 1]; a delay {@code d} becomes a random value in {@code [d(1-f), d(1+f)]}
         * @return this builder
         * @throws IllegalArgumentException if {@code jitterFactor} is outside [0, 1] or not a number
         */
        public Builder retryJitterFactor(double jitterFactor) {
            this.retryJitterFactor = between(jitterFactor, 0.0, 1.0, "jitterFactor");
            return this;
        }

        /**
         * Sets which failures are retried. Rejections by this set's own breaker, bulkhead and rate limiter are never
         * retried, whatever the predicate says.
         *
         * @param retryOn returns {@code true} for a failure worth retrying
         * @return this builder
         * @throws NullPointerException if {@code retryOn} is {@code null}
         */
        public Builder retryOn(Predicate<Throwable> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        /**
         * Sets which failures end the call at once without a retry, even if {@link #retryOn(Predicate)} accepts them.
         *
         * @param abortOn returns {@code true} for a failure that must not be retried
         * @return this builder
         * @throws NullPointerException if {@code abortOn} is {@code null}
         */
        public Builder abortOn(Predicate<Throwable> abortOn) {
            this.abortOn = Objects.requireNonNull(abortOn, "abortOn");
            return this;
        }

        /**
         * Sets whether the set uses a circuit breaker.
         *
         * @param enabled {@code false} to call without one
         * @return this builder
         */
        public Builder circuitBreakerEnabled(boolean enabled) {
            this.circuitBreakerEnabled = enabled;
            return this;
        }

        /**
         * Sets how the breaker measures its failure rate.
         *
         * @param windowType count or time
         * @return this builder
         * @throws NullPointerException if {@code windowType} is {@code null}
         */
        public Builder circuitBreakerWindowType(WindowType windowType) {
            this.circuitBreakerWindowType = Objects.requireNonNull(windowType, "windowType");
            return this;
        }

        /**
         * Sets the number of recent calls a count window holds.
         *
         * @param windowSize 1 to 10000
         * @return this builder
         * @throws IllegalArgumentException if {@code windowSize} is outside [1, 10000]
         */
        public Builder circuitBreakerWindowSize(int windowSize) {
            this.circuitBreakerWindowSize = between(windowSize, 1, 10_000, "windowSize");
            return this;
        }

        /**
         * Sets the length of a time window.
         *
         * @param windowDuration at least 10 ms
         * @return this builder
         * @throws NullPointerException     if {@code windowDuration} is {@code null}
         * @throws IllegalArgumentException if {@code windowDuration} is shorter than 10 ms
         */
        public Builder circuitBreakerWindowDuration(Duration windowDuration) {
            positive(windowDuration, "windowDuration");
            if (windowDuration.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("windowDuration must be at least 10 ms, was " + windowDuration);
            }
            this.circuitBreakerWindowDuration = windowDuration;
            return this;
        }

        /**
         * Sets the number of calls a time window needs before it can open the breaker.
         *
         * @param minimumCalls at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code minimumCalls < 1}
         */
        public Builder circuitBreakerMinimumCalls(int minimumCalls) {
            this.circuitBreakerMinimumCalls = atLeast(minimumCalls, 1, "minimumCalls");
            return this;
        }

        /**
         * Sets the percentage of failed calls in the window that opens the breaker.
         *
         * @param percent 1 to 100
         * @return this builder
         * @throws IllegalArgumentException if {@code percent} is outside [1, 100]
         */
        public Builder circuitBreakerFailureRateThreshold(int percent) {
            this.circuitBreakerFailureRateThreshold = between(percent, 1, 100, "percent");
            return this;
        }

        /**
         * Sets how long an open breaker rejects calls before it admits trial calls.
         *
         * @param openDelay positive
         * @return this builder
         * @throws NullPointerException     if {@code openDelay} is {@code null}
         * @throws IllegalArgumentException if {@code openDelay} is zero or negative
         */
        public Builder circuitBreakerOpenDelay(Duration openDelay) {
            this.circuitBreakerOpenDelay = positive(openDelay, "openDelay");
            return this;
        }

        /**
         * Sets how many trial calls a half-open breaker admits; all of them must succeed to close it, and one failure
         * opens it again. Flotilla guarantees that no more than this many trial calls run at once.
         *
         * @param halfOpenCalls 1 to 1000
         * @return this builder
         * @throws IllegalArgumentException if {@code halfOpenCalls} is outside [1, 1000]
         */
        public Builder circuitBreakerHalfOpenCalls(int halfOpenCalls) {
            this.circuitBreakerHalfOpenCalls = between(halfOpenCalls, 1, 1000, "halfOpenCalls");
            return this;
        }

        /**
         * Sets which exceptions the breaker counts as failures; other exceptions count as successes (the downstream
         * answered), for example a "not found" error.
         *
         * @param failureOn returns {@code true} for an exception that shows the downstream is unhealthy
         * @return this builder
         * @throws NullPointerException if {@code failureOn} is {@code null}
         */
        public Builder circuitBreakerFailureOn(Predicate<Throwable> failureOn) {
            this.circuitBreakerFailureOn = Objects.requireNonNull(failureOn, "failureOn");
            return this;
        }

        /**
         * Sets whether each attempt is bounded by a timeout.
         *
         * @param enabled {@code false} to let attempts run as long as they take
         * @return this builder
         */
        public Builder timeoutEnabled(boolean enabled) {
            this.timeoutEnabled = enabled;
            return this;
        }

        /**
         * Sets the longest one attempt may take.
         *
         * @param duration positive
         * @return this builder
         * @throws NullPointerException     if {@code duration} is {@code null}
         * @throws IllegalArgumentException if {@code duration} is zero or negative
         */
        public Builder timeoutDuration(Duration duration) {
            this.timeoutDuration = positive(duration, "duration");
            return this;
        }

        /**
         * Sets whether a timed-out attempt's thread is interrupted. Code that ignores interruption keeps running; see
         * {@link PolicySet} for what the caller sees then.
         *
         * @param interrupt {@code true} to interrupt
         * @return this builder
         */
        public Builder timeoutInterrupt(boolean interrupt) {
            this.timeoutInterrupt = interrupt;
            return this;
        }

        /**
         * Sets whether the set caps concurrent calls.
         *
         * @param enabled {@code true} to use a bulkhead
         * @return this builder
         */
        public Builder bulkheadEnabled(boolean enabled) {
            this.bulkheadEnabled = enabled;
            return this;
        }

        /**
         * Sets the most calls in flight at once.
         *
         * @param maxConcurrent at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxConcurrent < 1}
         */
        public Builder bulkheadMaxConcurrent(int maxConcurrent) {
            this.bulkheadMaxConcurrent = atLeast(maxConcurrent, 1, "maxConcurrent");
            return this;
        }

        /**
         * Sets how long a call waits for a free bulkhead slot.
         *
         * @param maxWait zero (reject at once) or positive
         * @return this builder
         * @throws NullPointerException     if {@code maxWait} is {@code null}
         * @throws IllegalArgumentException if {@code maxWait} is negative
         */
        public Builder bulkheadMaxWait(Duration maxWait) {
            this.bulkheadMaxWait = notNegative(maxWait, "maxWait");
            return this;
        }

        /**
         * Sets whether the set caps the rate of calls.
         *
         * @param enabled {@code true} to use a rate limiter
         * @return this builder
         */
        public Builder rateLimiterEnabled(boolean enabled) {
            this.rateLimiterEnabled = enabled;
            return this;
        }

        /**
         * Sets the number of calls permitted per second.
         *
         * @param permitsPerSecond at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code permitsPerSecond < 1}
         */
        public Builder rateLimiterPermitsPerSecond(int permitsPerSecond) {
            this.rateLimiterPermitsPerSecond = atLeast(permitsPerSecond, 1, "permitsPerSecond");
            return this;
        }

        /**
         * Sets how long a call waits for a rate-limiter permit.
         *
         * @param maxWait zero (reject at once) or positive
         * @return this builder
         * @throws NullPointerException     if {@code maxWait} is {@code null}
         * @throws IllegalArgumentException if {@code maxWait} is negative
         */
        public Builder rateLimiterMaxWait(Duration maxWait) {
            this.rateLimiterMaxWait = notNegative(maxWait, "maxWait");
            return this;
        }

        /**
         * Sets whether a whole second's permits may be used at once ({@code true}) or are spread evenly.
         *
         * @param bursty {@code true} for a bursty limiter
         * @return this builder
         */
        public Builder rateLimiterBursty(boolean bursty) {
            this.rateLimiterBursty = bursty;
            return this;
        }

        /**
         * Sets whether retries are capped by a {@link RetryBudget}.
         *
         * @param enabled {@code false} to retry without a budget
         * @return this builder
         */
        public Builder retryBudgetEnabled(boolean enabled) {
            this.retryBudgetEnabled = enabled;
            return this;
        }

        /**
         * Sets the retry tokens each call deposits.
         *
         * @param ratio in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code ratio} is outside [0, 1] or not a number
         */
        public Builder retryBudgetRatio(double ratio) {
            this.retryBudgetRatio = between(ratio, 0.0, 1.0, "ratio");
            return this;
        }

        /**
         * Sets the retry tokens added per second whatever the traffic.
         *
         * @param minPerSecond 0 to 10000
         * @return this builder
         * @throws IllegalArgumentException if {@code minPerSecond} is outside [0, 10000]
         */
        public Builder retryBudgetMinPerSecond(int minPerSecond) {
            this.retryBudgetMinPerSecond = between(minPerSecond, 0, 10_000, "minPerSecond");
            return this;
        }

        /**
         * Sets the most retry tokens the bucket holds; it starts full.
         *
         * @param maxTokens 1 to 1000000
         * @return this builder
         * @throws IllegalArgumentException if {@code maxTokens} is outside [1, 1000000]
         */
        public Builder retryBudgetMaxTokens(int maxTokens) {
            this.retryBudgetMaxTokens = between(maxTokens, 1, 1_000_000, "maxTokens");
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
            if (retryMaxDelay.compareTo(retryDelay) < 0) {
                throw new ConflictingValues(RETRY_MAX_DELAY, RETRY_MAX_DELAY + " (" + retryMaxDelay
                        + ") must be at least " + RETRY_DELAY + " (" + retryDelay + ")");
            }
            return new PolicySetConfig(this);
        }

        private static int atLeast(int value, int min, String name) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
            }
            return value;
        }

        private static int between(int value, int min, int max, String name) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }

        private static double between(double value, double min, double max, String name) {
            if (!(value >= min && value <= max)) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }

        private static Duration notNegative(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must be zero or positive, was " + value);
            }
            return value;
        }
    }

    /**
     * Two settings that are valid alone but not together; names the key to blame.
     */
    static final class ConflictingValues extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String key;

        ConflictingValues(String key, String message) {
            super(message);
            this.key = key;
        }

        String key() {
            return key;
        }
    }
}
