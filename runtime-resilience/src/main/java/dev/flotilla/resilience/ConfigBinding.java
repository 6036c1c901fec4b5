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
        k.put(PolicySetConfig.RETRY_ENABLED, bool(PolicySetConfig.Builder::retryEnabled));
        k.put(PolicySetConfig.RETRY_MAX_ATTEMPTS, integer(PolicySetConfig.Builder::retryMaxAttempts));
        k.put(PolicySetConfig.RETRY_DELAY, duration(PolicySetConfig.Builder::retryDelay));
        k.put(PolicySetConfig.RETRY_MAX_DELAY, duration(PolicySetConfig.Builder::retryMaxDelay));
        k.put(PolicySetConfig.RETRY_BACKOFF_MULTIPLIER, decimal(PolicySetConfig.Builder::retryBackoffMultiplier));
        k.put(PolicySetConfig.RETRY_JITTER_FACTOR, decimal(PolicySetConfig.Builder::retryJitterFactor));
        k.put(PolicySetConfig.CIRCUIT_BREAKER_ENABLED, bool(PolicySetConfig.Builder::circuitBreakerEnabled));
        k.put(PolicySetConfig.CIRCUIT_BREAKER_WINDOW_TYPE, windowType());
        k.put(PolicySetConfig.CIRCUIT_BREAKER_WINDOW_SIZE, integer(PolicySetConfig.Builder::circuitBreakerWindowSize));
        k.put(PolicySetConfig.CIRCUIT_BREAKER_WINDOW_DURATION,
              duration(PolicySetConfig.Builder::circuitBreakerWindowDuration));
        k.put(PolicySetConfig.CIRCUIT_BREAKER_MINIMUM_CALLS,
              integer(PolicySetConfig.Builder::circuitBreakerMinimumCalls));
        k.put(PolicySetConfig.CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD,
              integer(PolicySetConfig.Builder::circuitBreakerFailureRateThreshold));
        k.put(PolicySetConfig.CIRCUIT_BREAKER_OPEN_DELAY, duration(PolicySetConfig.Builder::circuitBreakerOpenDelay));
        k.put(PolicySetConfig.CIRCUIT_BREAKER_HALF_OPEN_CALLS,
              integer(PolicySetConfig.Builder::circuitBreakerHalfOpenCalls));
        k.put(PolicySetConfig.TIMEOUT_ENABLED, bool(PolicySetConfig.Builder::timeoutEnabled));
        k.put(PolicySetConfig.TIMEOUT_DURATION, duration(PolicySetConfig.Builder::timeoutDuration));
        k.put(PolicySetConfig.TIMEOUT_INTERRUPT, bool(PolicySetConfig.Builder::timeoutInterrupt));
        k.put(PolicySetConfig.BULKHEAD_ENABLED, bool(PolicySetConfig.Builder::bulkheadEnabled));
        k.put(PolicySetConfig.BULKHEAD_MAX_CONCURRENT, integer(PolicySetConfig.Builder::bulkheadMaxConcurrent));
        k.put(PolicySetConfig.BULKHEAD_MAX_WAIT, duration(PolicySetConfig.Builder::bulkheadMaxWait));
        k.put(PolicySetConfig.RATE_LIMITER_ENABLED, bool(PolicySetConfig.Builder::rateLimiterEnabled));
        k.put(PolicySetConfig.RATE_LIMITER_PERMITS_PER_SECOND,
              integer(PolicySetConfig.Builder::rateLimiterPermitsPerSecond));
        k.put(PolicySetConfig.RATE_LIMITER_MAX_WAIT, duration(PolicySetConfig.Builder::rateLimiterMaxWait));
        k.put(PolicySetConfig.RATE_LIMITER_BURSTY, bool(PolicySetConfig.Builder::rateLimiterBursty));
        k.put(PolicySetConfig.RETRY_BUDGET_ENABLED, bool(PolicySetConfig.Builder::retryBudgetEnabled));
        k.put(PolicySetConfig.RETRY_BUDGET_RATIO, decimal(PolicySetConfig.Builder::retryBudgetRatio));
        k.put(PolicySetConfig.RETRY_BUDGET_MIN_PER_SECOND,
              integer(PolicySetConfig.Builder::retryBudgetMinPerSecond));
        k.put(PolicySetConfig.RETRY_BUDGET_MAX_TOKENS, integer(PolicySetConfig.Builder::retryBudgetMaxTokens));
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
        } catch (PolicySetConfig.ConflictingValues e) {
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
            PolicySetConfig.WindowType parsed = Arrays.stream(PolicySetConfig.WindowType.values())
                    .filter(t -> t.name().equalsIgnoreCase(value))
                    .findFirst()
                    .orElseThrow(() -> invalid(key, value, "expected count or time", null));
            builder.circuitBreakerWindowType(parsed);
        };
    }
}
