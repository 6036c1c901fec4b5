package dev.flotilla.resilience;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import dev.flotilla.resilience.PolicySetConfig.BulkheadSettings;
import dev.flotilla.resilience.PolicySetConfig.CircuitBreakerSettings;
import dev.flotilla.resilience.PolicySetConfig.CircuitBreakerSettings.WindowType;
import dev.flotilla.resilience.PolicySetConfig.RateLimiterSettings;
import dev.flotilla.resilience.PolicySetConfig.RetryBudgetSettings;
import dev.flotilla.resilience.PolicySetConfig.RetrySettings;
import dev.flotilla.resilience.PolicySetConfig.TimeoutSettings;
import io.helidon.config.Config;

/**
 * Reads policy-set keys from Helidon config into a {@link PolicySetConfig.Builder}, refusing unknown keys and invalid
 * values with a message that names the full key. One table holds every key, so binding and the list of allowed keys
 * cannot drift apart.
 */
final class ConfigBinding {
    private static final Map<String, Binder> KEYS = keys();

    private ConfigBinding() {
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PolicySetConfig.Builder builder, String key, String value);
    }

    private static Map<String, Binder> keys() {
        Map<String, Binder> k = new LinkedHashMap<>();
        k.put(RetrySettings.ENABLED, bool((b, v) -> b.retry(r -> r.enabled(v))));
        k.put(RetrySettings.MAX_ATTEMPTS, integer((b, v) -> b.retry(r -> r.maxAttempts(v))));
        k.put(RetrySettings.DELAY, duration((b, v) -> b.retry(r -> r.delay(v))));
        k.put(RetrySettings.MAX_DELAY, duration((b, v) -> b.retry(r -> r.maxDelay(v))));
        k.put(RetrySettings.BACKOFF_MULTIPLIER, decimal((b, v) -> b.retry(r -> r.backoffMultiplier(v))));
        k.put(RetrySettings.JITTER_FACTOR, decimal((b, v) -> b.retry(r -> r.jitterFactor(v))));
        k.put(CircuitBreakerSettings.ENABLED, bool((b, v) -> b.circuitBreaker(cb -> cb.enabled(v))));
        k.put(CircuitBreakerSettings.WINDOW_TYPE, windowType());
        k.put(CircuitBreakerSettings.WINDOW_SIZE, integer((b, v) -> b.circuitBreaker(cb -> cb.windowSize(v))));
        k.put(CircuitBreakerSettings.WINDOW_DURATION, duration((b, v) -> b.circuitBreaker(cb -> cb.windowDuration(v))));
        k.put(CircuitBreakerSettings.MINIMUM_CALLS, integer((b, v) -> b.circuitBreaker(cb -> cb.minimumCalls(v))));
        k.put(CircuitBreakerSettings.FAILURE_RATE_THRESHOLD,
              integer((b, v) -> b.circuitBreaker(cb -> cb.failureRateThreshold(v))));
        k.put(CircuitBreakerSettings.OPEN_DELAY, duration((b, v) -> b.circuitBreaker(cb -> cb.openDelay(v))));
        k.put(CircuitBreakerSettings.HALF_OPEN_CALLS, integer((b, v) -> b.circuitBreaker(cb -> cb.halfOpenCalls(v))));
        k.put(TimeoutSettings.ENABLED, bool((b, v) -> b.timeout(t -> t.enabled(v))));
        k.put(TimeoutSettings.DURATION, duration((b, v) -> b.timeout(t -> t.duration(v))));
        k.put(TimeoutSettings.INTERRUPT, bool((b, v) -> b.timeout(t -> t.interrupt(v))));
        k.put(BulkheadSettings.ENABLED, bool((b, v) -> b.bulkhead(bh -> bh.enabled(v))));
        k.put(BulkheadSettings.MAX_CONCURRENT, integer((b, v) -> b.bulkhead(bh -> bh.maxConcurrent(v))));
        k.put(BulkheadSettings.MAX_WAIT, duration((b, v) -> b.bulkhead(bh -> bh.maxWait(v))));
        k.put(RateLimiterSettings.ENABLED, bool((b, v) -> b.rateLimiter(rl -> rl.enabled(v))));
        k.put(RateLimiterSettings.PERMITS_PER_SECOND, integer((b, v) -> b.rateLimiter(rl -> rl.permitsPerSecond(v))));
        k.put(RateLimiterSettings.MAX_WAIT, duration((b, v) -> b.rateLimiter(rl -> rl.maxWait(v))));
        k.put(RateLimiterSettings.BURSTY, bool((b, v) -> b.rateLimiter(rl -> rl.bursty(v))));
        k.put(RetryBudgetSettings.ENABLED, bool((b, v) -> b.retryBudget(rb -> rb.enabled(v))));
        k.put(RetryBudgetSettings.RATIO, decimal((b, v) -> b.retryBudget(rb -> rb.ratio(v))));
        k.put(RetryBudgetSettings.MIN_PER_SECOND, integer((b, v) -> b.retryBudget(rb -> rb.minPerSecond(v))));
        k.put(RetryBudgetSettings.MAX_TOKENS, integer((b, v) -> b.retryBudget(rb -> rb.maxTokens(v))));
        return Map.copyOf(k);
    }

    /** Every key a policy-set node may hold, relative to the node, in a stable order. */
    static List<String> knownKeys() {
        return KEYS.keySet().stream().sorted().toList();
    }

    static void apply(Config node, PolicySetConfig.Builder builder) {
        String prefix = node.key().toString();
        if (!node.exists()) {
            return;
        }
        if (node.type() != Config.Type.OBJECT) {
            throw new ResilienceConfigException(prefix, "Invalid value for " + prefix
                    + ": expected a section with the keys " + sections() + ", found a " + describe(node));
        }
        for (Config section : node.asNodeList().get()) {
            String sectionName = section.name();
            boolean known = KEYS.keySet().stream().anyMatch(k -> k.startsWith(sectionName + "."));
            if (!known) {
                throw new ResilienceConfigException(section.key().toString(), "Unknown key "
                        + section.key() + ": a policy set allows the sections " + sections());
            }
            if (section.type() != Config.Type.OBJECT) {
                throw new ResilienceConfigException(section.key().toString(), "Invalid value for " + section.key()
                        + ": expected a section with the keys " + keysOf(sectionName) + ", found a "
                        + describe(section));
            }
            for (Config leaf : section.asNodeList().get()) {
                String relative = sectionName + "." + leaf.name();
                String fullKey = leaf.key().toString();
                Binder binder = KEYS.get(relative);
                if (binder == null) {
                    throw new ResilienceConfigException(fullKey, "Unknown key " + fullKey + ": section "
                            + sectionName + " allows " + keysOf(sectionName));
                }
                if (leaf.type() != Config.Type.VALUE) {
                    throw new ResilienceConfigException(fullKey, "Invalid value for " + fullKey
                            + ": expected a single value, found a " + describe(leaf));
                }
                String value = leaf.asString().get().trim();
                try {
                    binder.bind(builder, fullKey, value);
                } catch (IllegalArgumentException e) {
                    throw invalid(fullKey, value, e.getMessage(), e);
                }
            }
        }
    }

    /** Builds the settings, turning a conflict between two keys into an error that names the full key. */
    static PolicySetConfig build(Config node, PolicySetConfig.Builder builder) {
        try {
            return builder.build();
        } catch (ConflictingValues e) {
            String fullKey = node.key().toString() + "." + e.key();
            throw new ResilienceConfigException(fullKey, "Invalid value for " + fullKey + ": " + e.getMessage()
                    + " (values may come from " + node.key() + ", resilience defaults or built-in defaults)", e);
        }
    }

    private static ResilienceConfigException invalid(String key, String value, String allowed, Throwable cause) {
        return new ResilienceConfigException(key, "Invalid value '" + value + "' for " + key + ": " + allowed, cause);
    }

    private static String describe(Config node) {
        return switch (node.type()) {
            case OBJECT -> "section";
            case LIST -> "list";
            case VALUE -> "single value '" + node.asString().orElse("") + "'";
            case MISSING -> "missing node";
        };
    }

    private static String sections() {
        return KEYS.keySet().stream()
                .map(k -> k.substring(0, k.indexOf('.')))
                .distinct()
                .sorted()
                .collect(Collectors.joining(", "));
    }

    private static String keysOf(String section) {
        return KEYS.keySet().stream()
                .filter(k -> k.startsWith(section + "."))
                .map(k -> k.substring(section.length() + 1))
                .sorted()
                .collect(Collectors.joining(", "));
    }

    private static Binder bool(BiConsumer<PolicySetConfig.Builder, Boolean> setter) {
        return (builder, key, value) -> {
            String v = value.toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw invalid(key, value, "expected true or false", null);
            }
            setter.accept(builder, Boolean.parseBoolean(v));
        };
    }

    private static Binder integer(BiConsumer<PolicySetConfig.Builder, Integer> setter) {
        return (builder, key, value) -> {
            int parsed;
            try {
                parsed = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw invalid(key, value, "expected a whole number", e);
            }
            setter.accept(builder, parsed);
        };
    }

    private static Binder decimal(BiConsumer<PolicySetConfig.Builder, Double> setter) {
        return (builder, key, value) -> {
            double parsed;
            try {
                parsed = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw invalid(key, value, "expected a number such as 0.5", e);
            }
            setter.accept(builder, parsed);
        };
    }

    private static Binder duration(BiConsumer<PolicySetConfig.Builder, Duration> setter) {
        return (builder, key, value) -> {
            Duration parsed;
            try {
                parsed = Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw invalid(key, value, "expected an ISO-8601 duration such as PT0.1S or PT2S", e);
            }
            setter.accept(builder, parsed);
        };
    }

    private static Binder windowType() {
        return (builder, key, value) -> {
            WindowType parsed = Arrays.stream(WindowType.values())
                    .filter(t -> t.name().equalsIgnoreCase(value))
                    .findFirst()
                    .orElseThrow(() -> invalid(key, value, "expected count or time", null));
            builder.circuitBreaker(cb -> cb.windowType(parsed));
        };
    }
}
