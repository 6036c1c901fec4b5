package dev.flotilla.resilience;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.failsafe.CircuitBreaker;
import io.helidon.config.Config;

/**
 * The per-service registry of named {@link PolicySet}s, and the entry point of Flotilla's resilience module.
 *
 * <p>The same name always gives the same policy set, so every caller of one downstream shares its circuit breaker,
 * bulkhead, rate limiter and retry budget. Settings for a name come from, in increasing priority: the built-in
 * defaults, {@code resilience.defaults.*}, code given to {@link Builder#defaults(Consumer)}, {@code
 * resilience.<name>.*}, then code given to {@link Builder#policies(String, Consumer)}; or entirely from a {@link
 * PolicySetConfig} given to {@link Builder#policies(String, PolicySetConfig)}. A name that is neither configured nor
 * registered gets the defaults when it is first used.
 *
 * <pre>{@code
 * Resilience resilience = Resilience.create(config.get("resilience"));
 * User user = resilience.policies("user-service").get(() -> client.fetchUser(id));
 * }</pre>
 *
 * <p>Every configured name is built, and so validated, when the registry is created: an unknown key or an invalid
 * value fails at start-up with a {@link ResilienceConfigException} that names the full key. This is not a singleton:
 * create one per service; several may live in one JVM. Thread-safe.
 */
public final class Resilience {
    /** The config section whose settings apply to every name. */
    public static final String DEFAULTS_NAME = "defaults";

    private final ResilienceListener listener;
    private final LongSupplier nanoTime;
    private final Consumer<PolicySetConfig.Builder> defaultsCustomizer;
    private final Map<String, Consumer<PolicySetConfig.Builder>> customizers;
    private final Map<String, PolicySetConfig> replacements;
    private final Map<String, PolicySet> sets = new ConcurrentHashMap<>();
    /** Expires the timeouts of every set's synchronous attempts (a thread only while attempts are watched). */
    private final AttemptWatchdog watchdog = new AttemptWatchdog("resilience");
    /** The adjustments of derived sets, by their key, to rebuild them when the configuration changes. */
    private final Map<String, Derivation> derivations = new ConcurrentHashMap<>();
    private volatile Resolved resolved;

    /** The settings of every configured name and the defaults, read from one configuration. */
    private record Resolved(PolicySetConfig defaults, Map<String, PolicySetConfig> configs) {
        PolicySetConfig of(String name) {
            return configs.getOrDefault(name, defaults);
        }
    }

    private record Derivation(String name, Consumer<PolicySetConfig.Builder> adjust) {
    }

    /** The registry's timeout watchdog (for tests of this package). */
    AttemptWatchdog watchdog() {
        return watchdog;
    }

    private Resilience(Builder builder) {
        this.listener = builder.listener;
        this.nanoTime = builder.nanoTime;
        this.defaultsCustomizer = builder.defaultsCustomizer;
        this.customizers = Map.copyOf(builder.customizers);
        this.replacements = Map.copyOf(builder.replacements);
        this.resolved = resolve(builder.config);
        // Build every known set now: validates Failsafe's own constraints and shows breakers in health at once.
        resolved.configs().keySet().forEach(this::policies);
    }

    private Resolved resolve(Config node) {
        PolicySetConfig.Builder defaultsBuilder = PolicySetConfig.builder();
        PolicySetConfig defaults;
        if (node != null && node.exists()) {
            if (node.type() != Config.Type.OBJECT) {
                throw new ResilienceConfigException(node.key().toString(), "Invalid value for " + node.key()
                        + ": expected a section holding 'defaults' and one section per policy-set name");
            }
            Config defaultsNode = node.get(DEFAULTS_NAME);
            defaultsBuilder.config(defaultsNode);
            defaultsCustomizer.accept(defaultsBuilder);
            defaults = ConfigBinding.build(defaultsNode, defaultsBuilder);
        } else {
            defaultsCustomizer.accept(defaultsBuilder);
            defaults = defaultsBuilder.build();
        }

        Map<String, PolicySetConfig> resolved = new LinkedHashMap<>();
        Set<String> names = new TreeSet<>(customizers.keySet());
        if (node != null && node.exists()) {
            node.asNodeList().get().stream()
                    .map(Config::name)
                    .filter(n -> !n.equals(DEFAULTS_NAME))
                    .forEach(names::add);
        }
        for (String name : names) {
            PolicySetConfig.Builder b = PolicySetConfig.builder(defaults);
            if (node != null && node.exists()) {
                Config nameNode = node.get(name);
                b.config(nameNode);
                customizers.getOrDefault(name, x -> { }).accept(b);
                resolved.put(name, ConfigBinding.build(nameNode, b));
            } else {
                customizers.getOrDefault(name, x -> { }).accept(b);
                resolved.put(name, b.build());
            }
        }
        resolved.putAll(replacements);
        return new Resolved(defaults, Map.copyOf(resolved));
    }

    /**
     * Applies a new {@code resilience} configuration to this running registry, for settings changed at run time.
     * Everything is read and checked first: on a failure nothing changes. Then every policy set created so far,
     * derived sets included, is rebuilt in place with its new settings (callers keep their {@link PolicySet}
     * references); the circuit breaker and retry budget of a set keep their state when their own settings did not
     * change. Code-given settings ({@link Builder#policies(String, Consumer)} and the like) apply as at start.
     *
     * @param resilienceNode the new {@code resilience} node; a missing node means the built-in defaults
     * @throws NullPointerException      if {@code resilienceNode} is {@code null}
     * @throws ResilienceConfigException if the node holds an unknown key or an invalid value, naming the full key;
     *                                   the registry then keeps its settings
     * @throws IllegalArgumentException  if the new settings are inconsistent; the registry then keeps its settings
     */
    public void reconfigure(Config resilienceNode) {
        Objects.requireNonNull(resilienceNode, "resilienceNode");
        synchronized (this) {
            Resolved next = resolve(resilienceNode);
            Map<String, PolicySetConfig> rebuilt = new LinkedHashMap<>();
            for (String key : sets.keySet()) {
                Derivation derivation = derivations.get(key);
                if (derivation == null) {
                    rebuilt.put(key, next.of(key));
                } else {
                    PolicySetConfig.Builder b = PolicySetConfig.builder(next.of(derivation.name()));
                    derivation.adjust().accept(b);
                    rebuilt.put(key, b.build());
                }
            }
            // Failsafe checks its own constraints when a policy is built: build before swapping anything in.
            rebuilt.forEach((key, config) -> new PolicySet(key, config, null, nanoTime, watchdog));
            resolved = next;
            rebuilt.forEach((key, config) -> sets.get(key).reconfigure(config));
            next.configs().keySet().forEach(this::policies);
        }
    }

    /**
     * Creates a registry from the {@code resilience} config node.
     *
     * @param resilienceNode the {@code resilience} node; a missing node gives a registry with built-in defaults
     * @return a new registry with every configured name built
     * @throws NullPointerException      if {@code resilienceNode} is {@code null}
     * @throws ResilienceConfigException if the node holds an unknown key or an invalid value, naming the full key
     */
    public static Resilience create(Config resilienceNode) {
        Objects.requireNonNull(resilienceNode, "resilienceNode");
        return builder().config(resilienceNode).build();
    }

    /**
     * Creates a registry configured by code.
     *
     * @param builderConsumer configures a fresh builder
     * @return a new registry
     * @throws NullPointerException      if {@code builderConsumer} is {@code null}
     * @throws ResilienceConfigException if the builder's config holds an unknown key or an invalid value
     */
    public static Resilience create(Consumer<Builder> builderConsumer) {
        Objects.requireNonNull(builderConsumer, "builderConsumer");
        Builder builder = builder();
        builderConsumer.accept(builder);
        return builder.build();
    }

    /**
     * Returns a builder for a registry.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the policy set of {@code name}, creating it with the default settings if the name is neither configured
     * nor registered. Every call with the same name returns the same instance.
     *
     * @param name the name of the downstream the set protects, for example {@code user-service}
     * @return the shared policy set
     * @throws NullPointerException     if {@code name} is {@code null}
     * @throws IllegalArgumentException if {@code name} is blank, contains a dot, or is {@value #DEFAULTS_NAME}
     */
    public PolicySet policies(String name) {
        PolicySet set = sets.get(name);
        if (set != null) {
            return set;
        }
        checkName(name);
        return sets.computeIfAbsent(name, n -> new PolicySet(n, resolved.of(n), listener, nanoTime, watchdog));
    }

    /**
     * Returns a policy set derived from the settings of {@code name}, shared under {@code name} and
     * {@code qualifier}: for example one circuit breaker per instance of a downstream, each configured like the
     * downstream. The set is created on first use with {@code name}'s settings changed by {@code adjust}; later calls
     * with the same name and qualifier return that same set, whatever their {@code adjust}.
     *
     * @param name      the configured (or default) policy-set name whose settings are the starting point
     * @param qualifier what distinguishes this set, such as {@code 127.0.0.1:8081}; any non-blank text
     * @param adjust    changes to the settings, such as turning retries off
     * @return the shared derived set, named {@code name/qualifier}
     * @throws NullPointerException     if an argument is {@code null}
     * @throws IllegalArgumentException if {@code name} is not a valid policy-set name or {@code qualifier} is blank
     * @throws IllegalStateException    if the adjusted settings are inconsistent
     */
    public PolicySet derived(String name, String qualifier, Consumer<PolicySetConfig.Builder> adjust) {
        checkName(name);
        Objects.requireNonNull(qualifier, "qualifier");
        Objects.requireNonNull(adjust, "adjust");
        if (qualifier.isBlank()) {
            throw new IllegalArgumentException("qualifier must not be blank");
        }
        String key = name + "/" + qualifier;
        PolicySet set = sets.get(key);
        if (set != null) {
            return set;
        }
        return sets.computeIfAbsent(key, k -> {
            PolicySetConfig.Builder builder = PolicySetConfig.builder(resolved.of(name));
            adjust.accept(builder);
            derivations.put(k, new Derivation(name, adjust));
            return new PolicySet(k, builder.build(), listener, nanoTime, watchdog);
        });
    }

    /**
     * Returns the names of the policy sets created so far, configured ones included.
     *
     * @return the names, sorted; never {@code null}
     */
    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(sets.keySet()));
    }

    /**
     * Returns the counters of every policy set created so far.
     *
     * @return stats by name, sorted by name
     */
    public Map<String, PolicyStats> stats() {
        Map<String, PolicyStats> stats = new TreeMap<>();
        sets.forEach((name, set) -> stats.put(name, set.stats()));
        return Collections.unmodifiableMap(stats);
    }

    /**
     * Returns the state of every circuit breaker, for the service's health details. An open breaker means a
     * downstream is failing, not that this service is unready, so health checks report it without failing.
     *
     * @return breaker state by policy-set name, sorted by name; sets without a breaker are left out
     */
    public Map<String, CircuitBreaker.State> circuitBreakerStates() {
        Map<String, CircuitBreaker.State> states = new TreeMap<>();
        sets.forEach((name, set) -> set.circuitBreaker().ifPresent(b -> states.put(name, b.getState())));
        return Collections.unmodifiableMap(states);
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.contains(".") || name.equals(DEFAULTS_NAME)) {
            throw new IllegalArgumentException("name must be non-blank, without dots and not '" + DEFAULTS_NAME
                                                       + "', was '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return "Resilience" + names();
    }

    /**
     * Builds {@link Resilience} registries. Not thread-safe.
     */
    public static final class Builder {
        private Config config;
        private Consumer<PolicySetConfig.Builder> defaultsCustomizer = b -> { };
        private final Map<String, Consumer<PolicySetConfig.Builder>> customizers = new LinkedHashMap<>();
        private final Map<String, PolicySetConfig> replacements = new LinkedHashMap<>();
        private ResilienceListener listener;
        private LongSupplier nanoTime = System::nanoTime;

        private Builder() {
        }

        /**
         * Reads settings from the {@code resilience} config node: {@code defaults} and one section per name.
         *
         * @param resilienceNode the {@code resilience} node
         * @return this builder
         * @throws NullPointerException if {@code resilienceNode} is {@code null}
         */
        public Builder config(Config resilienceNode) {
            this.config = Objects.requireNonNull(resilienceNode, "resilienceNode");
            return this;
        }

        /**
         * Adjusts the settings every name starts from, after {@code resilience.defaults} is applied.
         *
         * @param customizer changes the default settings
         * @return this builder
         * @throws NullPointerException if {@code customizer} is {@code null}
         */
        public Builder defaults(Consumer<PolicySetConfig.Builder> customizer) {
            this.defaultsCustomizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * Adjusts the settings of one name in code, after its configuration is applied; use it for what config
         * cannot say (predicates, a fallback, a different order) or to override a value.
         *
         * @param name       the policy-set name
         * @param customizer changes the settings of that name
         * @return this builder
         * @throws NullPointerException     if {@code name} or {@code customizer} is {@code null}
         * @throws IllegalArgumentException if {@code name} is blank, contains a dot, or is {@value #DEFAULTS_NAME}
         */
        public Builder policies(String name, Consumer<PolicySetConfig.Builder> customizer) {
            checkName(name);
            Objects.requireNonNull(customizer, "customizer");
            customizers.put(name, customizer);
            return this;
        }

        /**
         * Registers complete settings for one name, ignoring any configuration and defaults for it.
         *
         * @param name   the policy-set name
         * @param config the settings
         * @return this builder
         * @throws NullPointerException     if {@code name} or {@code config} is {@code null}
         * @throws IllegalArgumentException if {@code name} is blank, contains a dot, or is {@value #DEFAULTS_NAME}
         */
        public Builder policies(String name, PolicySetConfig config) {
            checkName(name);
            Objects.requireNonNull(config, "config");
            replacements.put(name, config);
            return this;
        }

        /**
         * Sets the listener that receives the events of every policy set, for metrics and health.
         *
         * @param listener the listener
         * @return this builder
         * @throws NullPointerException if {@code listener} is {@code null}
         */
        public Builder listener(ResilienceListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /**
         * Builds the registry and every configured policy set.
         *
         * @return a new registry
         * @throws ResilienceConfigException if the configuration holds an unknown key or an invalid value
         * @throws IllegalArgumentException  if code-given settings are inconsistent
         */
        public Resilience build() {
            return new Resilience(this);
        }
    }
}
