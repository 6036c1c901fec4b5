package dev.flotilla.resilience;

/**
 * The retry-budget settings of a policy set, as its builder wrote them; see {@link
 * PolicySetConfig.RetryBudgetSettings} for what each means. Immutable.
 */
final class RetryBudgetConfig implements PolicySetConfig.RetryBudgetSettings {
    private final boolean enabled;
    private final double ratio;
    private final int minPerSecond;
    private final int maxTokens;

    private RetryBudgetConfig(Builder b) {
        enabled = b.enabled;
        ratio = b.ratio;
        minPerSecond = b.minPerSecond;
        maxTokens = b.maxTokens;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public double ratio() {
        return ratio;
    }

    @Override
    public int minPerSecond() {
        return minPerSecond;
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    static final class Builder implements PolicySetConfig.RetryBudgetSettings.Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private double ratio = DEFAULT_RATIO;
        private int minPerSecond = DEFAULT_MIN_PER_SECOND;
        private int maxTokens = DEFAULT_MAX_TOKENS;

        Builder() {
        }

        Builder(RetryBudgetConfig base) {
            enabled = base.enabled;
            ratio = base.ratio;
            minPerSecond = base.minPerSecond;
            maxTokens = base.maxTokens;
        }

        @Override
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        @Override
        public Builder ratio(double ratio) {
            this.ratio = Arguments.between(ratio, 0.0, 1.0, "ratio");
            return this;
        }

        @Override
        public Builder minPerSecond(int minPerSecond) {
            this.minPerSecond = Arguments.between(minPerSecond, 0, 10_000, "minPerSecond");
            return this;
        }

        @Override
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = Arguments.between(maxTokens, 1, 1_000_000, "maxTokens");
            return this;
        }

        RetryBudgetConfig build() {
            return new RetryBudgetConfig(this);
        }
    }
}
