package dev.flotilla.resilience;

import java.time.Duration;

/**
 * The attempt-timeout settings of a policy set, as its builder wrote them; see {@link
 * PolicySetConfig.TimeoutSettings} for what each means. Immutable.
 */
final class TimeoutConfig implements PolicySetConfig.TimeoutSettings {
    private final boolean enabled;
    private final Duration duration;
    private final boolean interrupt;

    private TimeoutConfig(Builder b) {
        enabled = b.enabled;
        duration = b.duration;
        interrupt = b.interrupt;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public Duration duration() {
        return duration;
    }

    @Override
    public boolean interrupt() {
        return interrupt;
    }

    static final class Builder implements PolicySetConfig.TimeoutSettings.Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private Duration duration = DEFAULT_DURATION;
        private boolean interrupt = DEFAULT_INTERRUPT;

        Builder() {
        }

        Builder(TimeoutConfig base) {
            enabled = base.enabled;
            duration = base.duration;
            interrupt = base.interrupt;
        }

        @Override
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        @Override
        public Builder duration(Duration duration) {
            this.duration = Arguments.positive(duration, "duration");
            return this;
        }

        @Override
        public Builder interrupt(boolean interrupt) {
            this.interrupt = interrupt;
            return this;
        }

        TimeoutConfig build() {
            return new TimeoutConfig(this);
        }
    }
}
