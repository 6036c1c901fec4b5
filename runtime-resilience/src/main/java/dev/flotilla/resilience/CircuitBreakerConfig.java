package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The circuit-breaker settings of a policy set, as its builder wrote them; see {@link
 * PolicySetConfig.CircuitBreakerSettings} for what each means. Immutable.
 */
final class CircuitBreakerConfig implements PolicySetConfig.CircuitBreakerSettings {
    private final boolean enabled;
    private final WindowType windowType;
    private final int windowSize;
    private final Duration windowDuration;
    private final int minimumCalls;
    private final int failureRateThreshold;
    private final Duration openDelay;
    private final int halfOpenCalls;
    private final Predicate<Throwable> failureOn;

    private CircuitBreakerConfig(Builder b) {
        enabled = b.enabled;
        windowType = b.windowType;
        windowSize = b.windowSize;
        windowDuration = b.windowDuration;
        minimumCalls = b.minimumCalls;
        failureRateThreshold = b.failureRateThreshold;
        openDelay = b.openDelay;
        halfOpenCalls = b.halfOpenCalls;
        failureOn = b.failureOn;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public WindowType windowType() {
        return windowType;
    }

    @Override
    public int windowSize() {
        return windowSize;
    }

    @Override
    public Duration windowDuration() {
        return windowDuration;
    }

    @Override
    public int minimumCalls() {
        return minimumCalls;
    }

    @Override
    public int failureRateThreshold() {
        return failureRateThreshold;
    }

    @Override
    public Duration openDelay() {
        return openDelay;
    }

    @Override
    public int halfOpenCalls() {
        return halfOpenCalls;
    }

    @Override
    public Predicate<Throwable> failureOn() {
        return failureOn;
    }

    static final class Builder implements PolicySetConfig.CircuitBreakerSettings.Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private WindowType windowType = DEFAULT_WINDOW_TYPE;
        private int windowSize = DEFAULT_WINDOW_SIZE;
        private Duration windowDuration = DEFAULT_WINDOW_DURATION;
        private int minimumCalls = DEFAULT_MINIMUM_CALLS;
        private int failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private Duration openDelay = DEFAULT_OPEN_DELAY;
        private int halfOpenCalls = DEFAULT_HALF_OPEN_CALLS;
        private Predicate<Throwable> failureOn = e -> true;

        Builder() {
        }

        Builder(CircuitBreakerConfig base) {
            enabled = base.enabled;
            windowType = base.windowType;
            windowSize = base.windowSize;
            windowDuration = base.windowDuration;
            minimumCalls = base.minimumCalls;
            failureRateThreshold = base.failureRateThreshold;
            openDelay = base.openDelay;
            halfOpenCalls = base.halfOpenCalls;
            failureOn = base.failureOn;
        }

        @Override
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        @Override
        public Builder windowType(WindowType windowType) {
            this.windowType = Objects.requireNonNull(windowType, "windowType");
            return this;
        }

        @Override
        public Builder windowSize(int windowSize) {
            this.windowSize = Arguments.between(windowSize, 1, 10_000, "windowSize");
            return this;
        }

        @Override
        public Builder windowDuration(Duration windowDuration) {
            Arguments.positive(windowDuration, "windowDuration");
            if (windowDuration.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("windowDuration must be at least 10 ms, was " + windowDuration);
            }
            this.windowDuration = windowDuration;
            return this;
        }

        @Override
        public Builder minimumCalls(int minimumCalls) {
            this.minimumCalls = Arguments.atLeast(minimumCalls, 1, "minimumCalls");
            return this;
        }

        @Override
        public Builder failureRateThreshold(int percent) {
            this.failureRateThreshold = Arguments.between(percent, 1, 100, "percent");
            return this;
        }

        @Override
        public Builder openDelay(Duration openDelay) {
            this.openDelay = Arguments.positive(openDelay, "openDelay");
            return this;
        }

        @Override
        public Builder halfOpenCalls(int halfOpenCalls) {
            this.halfOpenCalls = Arguments.between(halfOpenCalls, 1, 1000, "halfOpenCalls");
            return this;
        }

        @Override
        public Builder failureOn(Predicate<Throwable> failureOn) {
            this.failureOn = Objects.requireNonNull(failureOn, "failureOn");
            return this;
        }

        CircuitBreakerConfig build() {
            return new CircuitBreakerConfig(this);
        }
    }
}
