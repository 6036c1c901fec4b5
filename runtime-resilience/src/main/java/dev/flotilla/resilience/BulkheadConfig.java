package dev.flotilla.resilience;

import java.time.Duration;

/**
 * The bulkhead settings of a policy set, as its builder wrote them; see {@link PolicySetConfig.BulkheadSettings} for
 * what each means. Immutable.
 */
final class BulkheadConfig implements PolicySetConfig.BulkheadSettings {
    private final boolean enabled;
    private final int maxConcurrent;
    private final Duration maxWait;

    private BulkheadConfig(Builder b) {
        enabled = b.enabled;
        maxConcurrent = b.maxConcurrent;
        maxWait = b.maxWait;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public int maxConcurrent() {
        return maxConcurrent;
    }

    @Override
    public Duration maxWait() {
        return maxWait;
    }

    static final class Builder implements PolicySetConfig.BulkheadSettings.Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private int maxConcurrent = DEFAULT_MAX_CONCURRENT;
        private Duration maxWait = DEFAULT_MAX_WAIT;

        Builder() {
        }

        Builder(BulkheadConfig base) {
            enabled = base.enabled;
            maxConcurrent = base.maxConcurrent;
            maxWait = base.maxWait;
        }

        @Override
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        @Override
        public Builder maxConcurrent(int maxConcurrent) {
            this.maxConcurrent = Arguments.atLeast(maxConcurrent, 1, "maxConcurrent");
            return this;
        }

        @Override
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Arguments.notNegative(maxWait, "maxWait");
            return this;
        }

        BulkheadConfig build() {
            return new BulkheadConfig(this);
        }
    }
}
