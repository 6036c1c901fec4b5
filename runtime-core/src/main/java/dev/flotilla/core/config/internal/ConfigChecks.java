package dev.flotilla.core.config.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

import dev.flotilla.resilience.Resilience;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * The checks every service makes of configuration values before it uses them: {@code features.*} are {@code true} or
 * {@code false}, {@code log.level.*} are log levels, and the {@code resilience} section binds (no unknown key, no
 * invalid value). One entry point for a running service (a live change), a starting service (the central values it
 * starts with) and the central configuration tool (a value before it is written). A service's own listeners check
 * their keys on top of these. Stateless.
 */
public final class ConfigChecks {
    private ConfigChecks() {
    }

    /**
     * Checks the given keys of a configuration. A {@code resilience.*} key binds the whole {@code resilience}
     * section.
     *
     * @param config the configuration the keys are read from
     * @param keys   flat keys of the configuration (keys no check covers pass)
     * @throws IllegalArgumentException naming the key and the reason when a value is invalid
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static void check(Config config, Collection<String> keys) {
        Objects.requireNonNull(config, "config");
        boolean resilience = false;
        for (String key : keys) {
            String value = config.get(key).asString().orElse(null);
            if (key.startsWith(LiveConfig.FEATURES_PREFIX) && value != null) {
                String v = value.trim().toLowerCase(Locale.ROOT);
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException(key + " must be true or false");
                }
            }
            if (key.startsWith(LogLevels.PREFIX)) {
                try {
                    LogLevels.check(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
                }
            }
            resilience |= key.equals("resilience") || key.startsWith("resilience.");
        }
        if (resilience) {
            // Binds the whole section: an unknown key or a bad value throws naming the full key.
            Resilience.create(config.get("resilience"));
        }
    }

    /**
     * Which of the given values a service refuses. All are checked together first; when that fails, each key is
     * checked in key order on top of the values accepted before it, so a refused value never makes another one
     * refused. Reasons of keys that look secret ({@code password}, {@code token}, ...) say {@code invalid value}
     * only.
     *
     * @param values flat keys of a service's configuration and their values
     * @param load   makes the configuration the service would have with these values (its other sources around
     *               them); it may throw, which refuses the value
     * @return refused keys and their reasons, sorted; empty when every value is accepted
     * @throws NullPointerException if an argument is {@code null}
     */
    public static Map<String, String> refusals(Map<String, String> values,
                                               Function<Map<String, String>, Config> load) {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(load, "load");
        Map<String, String> refused = new TreeMap<>();
        if (values.isEmpty() || reason(values, values.keySet(), load) == null) {
            return refused;
        }
        Map<String, String> accepted = new HashMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(values).entrySet()) {
            Map<String, String> candidate = new HashMap<>(accepted);
            candidate.put(entry.getKey(), entry.getValue());
            String reason = reason(candidate, java.util.Set.of(entry.getKey()), load);
            if (reason == null) {
                accepted.put(entry.getKey(), entry.getValue());
            } else {
                refused.put(entry.getKey(), ValueReferences.looksSecret(entry.getKey()) ? "invalid value" : reason);
            }
        }
        return refused;
    }

    /**
     * Which of the given values a service refuses, judged on these values alone (no other source): what the
     * central configuration tool can tell before it writes a value.
     *
     * @param values flat keys of a service's configuration and their values
     * @return refused keys and their reasons, sorted; empty when every value is accepted
     * @throws NullPointerException if {@code values} is {@code null}
     */
    public static Map<String, String> refusals(Map<String, String> values) {
        return refusals(values, ConfigChecks::plain);
    }

    /**
     * Whether a key's value must never be printed or logged (its name says password, secret, token, credential,
     * seed or key).
     *
     * @param key a configuration or bucket key
     * @return {@code true} when its value is to be hidden
     */
    public static boolean looksSecret(String key) {
        return ValueReferences.looksSecret(key);
    }

    /** The reason the configuration made from {@code values} fails the checks of {@code keys}; null when none. */
    private static String reason(Map<String, String> values, Collection<String> keys,
                                 Function<Map<String, String>, Config> load) {
        try {
            check(load.apply(values), keys);
            return null;
        } catch (RuntimeException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    private static Config plain(Map<String, String> values) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(values).name("values").build())
                .build();
    }
}
