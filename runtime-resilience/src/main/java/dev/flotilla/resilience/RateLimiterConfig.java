package dev.flotilla.resilience;

import java.time.Duration;

/**
 * The rate-limiter settings of a policy set, as its builder wrote them; see {@link
 * PolicySetConfig.RateLimiterSettings} for what each means. Immutable.
 */
final class RateLimiterConfig implements PolicySetConfig.RateLimiterSettings {
    private final boolean enabled;
    private final int permitsPerSecond;
    private final Duration maxWait;
    private final boolean bursty;

    private RateLimiterConfig(Builder b) {
        enabled = b.enabled;
        permitsPerSecond = b.permitsPerSecond;
        maxWait = b.maxWait;
        bursty = b.bursty;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public int permitsPerSecond() {
        return permitsPerSecond;
    }

    @Override
    public Duration maxWait() {
        return maxWait;
    }

    @Override
    public boolean bursty() {
        return bursty;
    }

    static final class Builder implements PolicySetConfig.RateLimiterSettings.Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private int permitsPerSecond = DEFAULT_PERMITS_PER_SECOND;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private boolean bursty = DEFAULT_BURSTY;

        Builder() {
        }

        Builder(RateLimiterConfig base) {
            enabled = base.enabled;
            permitsPerSecond = base.permitsPerSecond;
            maxWait = base.maxWait;
            bursty = base.bursty;
        }

        @Override
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        @Override
        public Builder permitsPerSecond(int permitsPerSecond) {
            this.permitsPerSecond = Arguments.atLeast(permitsPerSecond, 1, "permitsPerSecond");
            return this;
        }

        @Override
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Arguments.notNegative(maxWait, "maxWait");
            return this;
        }

        @Override
        public Builder bursty(boolean bursty) {
            this.bursty = bursty;
            return this;
        }

        RateLimiterConfig build() {
            return new RateLimiterConfig(this);
        }
    }
}
