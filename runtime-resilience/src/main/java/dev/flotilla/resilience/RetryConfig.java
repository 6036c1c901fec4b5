package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The retry settings of a policy set, as its builder wrote them; see {@link PolicySetConfig.RetrySettings} for what
 * each means. Immutable.
 */
final class RetryConfig implements PolicySetConfig.RetrySettings {
    private final boolean enabled;
    private final int maxAttempts;
    private final Duration delay;
    private final Duration maxDelay;
    private final double backoffMultiplier;
    private final double jitterFactor;
    private final Predicate<Throwable> retryOn;
    private final Predicate<Throwable> abortOn;

    private RetryConfig(Builder b) {
        enabled = b.enabled;
        maxAttempts = b.maxAttempts;
        delay = b.delay;
        maxDelay = b.maxDelay;
        backoffMultiplier = b.backoffMultiplier;
        jitterFactor = b.jitterFactor;
        retryOn = b.retryOn;
        abortOn = b.abortOn;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public Duration delay() {
        return delay;
    }

    @Override
    public Duration maxDelay() {
        return maxDelay;
    }

    @Override
    public double backoffMultiplier() {
        return backoffMultiplier;
    }

    @Override
    public double jitterFactor() {
        return jitterFactor;
    }

    @Override
    public Predicate<Throwable> retryOn() {
        return retryOn;
    }

    @Override
    public Predicate<Throwable> abortOn() {
        return abortOn;
    }

    static final class Builder implements PolicySetConfig.RetrySettings.Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration delay = DEFAULT_DELAY;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;
        private double jitterFactor = DEFAULT_JITTER_FACTOR;
        private Predicate<Throwable> retryOn = e -> true;
        private Predicate<Throwable> abortOn = e -> false;

        Builder() {
        }

        Builder(RetryConfig base) {
            enabled = base.enabled;
            maxAttempts = base.maxAttempts;
            delay = base.delay;
            maxDelay = base.maxDelay;
            backoffMultiplier = base.backoffMultiplier;
            jitterFactor = base.jitterFactor;
            retryOn = base.retryOn;
            abortOn = base.abortOn;
        }

        @Override
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        @Override
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = Arguments.atLeast(maxAttempts, 1, "maxAttempts");
            return this;
        }

        @Override
        public Builder delay(Duration delay) {
            this.delay = Arguments.positive(delay, "delay");
            return this;
        }

        @Override
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = Arguments.positive(maxDelay, "maxDelay");
            return this;
        }

        @Override
        public Builder backoffMultiplier(double multiplier) {
            this.backoffMultiplier = Arguments.between(multiplier, 1.0, 100.0, "multiplier");
            return this;
        }

        @Override
        public Builder jitterFactor(double jitterFactor) {
            this.jitterFactor = Arguments.between(jitterFactor, 0.0, 1.0, "jitterFactor");
            return this;
        }

        @Override
        public Builder retryOn(Predicate<Throwable> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        @Override
        public Builder abortOn(Predicate<Throwable> abortOn) {
            this.abortOn = Objects.requireNonNull(abortOn, "abortOn");
            return this;
        }

        /** Builds the settings; the delay and the maximum delay are checked together here, as either may come last. */
        RetryConfig build() {
            if (maxDelay.compareTo(delay) < 0) {
                throw new ConflictingValues(MAX_DELAY, MAX_DELAY + " (" + maxDelay + ") must be at least " + DELAY
                        + " (" + delay + ")");
            }
            return new RetryConfig(this);
        }
    }
}
