package dev.flotilla.core.config.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.flotilla.core.config.ConfigLayer;
import dev.flotilla.resilience.Resilience;
import io.helidon.config.Config;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.observability.CallContext;

/**
 * A service's configuration while it runs: the current {@link Config} (what {@link ServiceContext#config()}
 * returns), rebuilt when its central layer changes. Each changed key is handled on its own: settings read once at
 * start (see {@link #RESTART_REQUIRED}) are logged as needing a restart and left out; other values are checked
 * (resilience settings bound, {@code features.*} booleans, {@code log.level.*} levels, the service's own listeners)
 * and applied, or refused with the old value kept. Changes are applied one at a time; reads are lock-free.
 *
 * <p>At start the central values get the same checks ({@link ConfigChecks}): for one that fails, the service starts
 * on the key's newest earlier value that passes ({@link ConfigLayer#earlierValues(String)}), else on the value of
 * its own sources (or the default), and the key shows as refused in the health details, as a refused live change
 * does. A value of the service's own sources that fails the checks still fails the start.
 */
public final class LiveConfig implements AutoCloseable {
    /** The runtime's own sections read once at start: a change is logged as needing a restart and not applied. */
    static final List<String> RESTART_REQUIRED = List.of("server", "shutdown", "clients", "tracing", "security");
    /** Extra prefixes a service marks as needing a restart. */
    static final String RESTART_REQUIRED_KEY = "config.central.restart-required";
    /** Feature flags: {@code features.<name>: true|false}. */
    static final String FEATURES_PREFIX = "features.";
    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);
    private static final int MAX_REFUSALS_SHOWN = 20;

    private final String service;
    private final Map<String, String> overrides;
    private final ServiceConfigLoader loader;
    private final ConfigLayer layer;
    private final ValueReferences references;
    private final MeterRegistry metrics;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Config startConfig;
    private final List<String> restartRequired;
    /** Sections the service's extensions and config layer read once at start. */
    private final Set<String> extensionSections;

    private volatile Config current;
    private volatile Resilience resilience;
    /** Guarded by this: the layer's raw values last seen, and the resolved values in force. */
    private Map<String, String> seen = Map.of();
    private Map<String, String> applied = Map.of();
    private final Map<String, String> refused = new TreeMap<>();
    private final Set<String> pendingRestart = new TreeSet<>();

    private record Listener(String prefix, Consumer<Config> action) {
        boolean matches(Set<String> keys) {
            return keys.stream().anyMatch(k -> prefix.isEmpty() || k.equals(prefix) || k.startsWith(prefix + "."));
        }
    }

    /**
     * Loads the service's configuration with the layer's first values.
     *
     * @param service the service's name
     * @param overrides values that win over every source
     * @param loader the runtime's loader of the local sources (it reads the environment and
     *               {@code application.yaml} once for all the runtime's services and starts)
     * @param layer the central layer, or {@code null} when the service has none
     * @param local the service's configuration from the local sources, as {@code loader} loaded it for this start
     *              (the config layer providers were given it), or {@code null}: without a layer it is the
     *              configuration, and it is not loaded again
     * @param readAtStart the sections the service's extensions and config layer read once at start
     * @param metrics where refused changes are counted
     */
    public LiveConfig(String service, Map<String, String> overrides, ServiceConfigLoader loader, ConfigLayer layer,
                      Config local, Set<String> readAtStart, MeterRegistry metrics) {
        this(service, overrides, loader, layer, local, readAtStart, ValueReferences.fromProcess(), metrics);
    }

    /**
     * A service's configuration from the local sources of this process (files, environment, system properties,
     * overrides), without any live layer: what a config layer reads its own settings from.
     *
     * @param service the service's name
     * @param overrides values that win over every source
     * @return the configuration
     */
    public static Config local(String service, Map<String, String> overrides) {
        return ServiceConfigLoader.fromProcess().load(service, overrides);
    }

    /**
     * Like {@link #local(String, Map)}, with the given environment variables instead of the process's: what a tool
     * that reads the services' settings (the central configuration command) loads, testable without a process.
     *
     * @param name        the name whose section wins ({@code <name>.key} over {@code key}) and whose
     *                    {@code <name>.yaml} is read
     * @param overrides   values that win over every source
     * @param environment environment variables, mapped to keys as for a service ({@code MESSAGING_NATS_USER} is
     *                    {@code messaging.nats.user})
     * @return the configuration
     * @throws NullPointerException if an argument is {@code null}
     */
    public static Config local(String name, Map<String, String> overrides, Map<String, String> environment) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(overrides, "overrides");
        Map<String, String> env = Map.copyOf(environment);
        return new ServiceConfigLoader(() -> env, () -> ServiceConfigLoader.copy(System.getProperties()))
                .load(name, overrides);
    }

    LiveConfig(String service, Map<String, String> overrides, ServiceConfigLoader loader, ConfigLayer layer,
               Set<String> readAtStart, ValueReferences references, MeterRegistry metrics) {
        this(service, overrides, loader, layer, null, readAtStart, references, metrics);
    }

    private LiveConfig(String service, Map<String, String> overrides, ServiceConfigLoader loader, ConfigLayer layer,
                       Config local, Set<String> readAtStart, ValueReferences references, MeterRegistry metrics) {
        this.extensionSections = Set.copyOf(readAtStart);
        this.service = service;
        this.overrides = overrides;
        this.loader = loader;
        this.layer = layer;
        this.references = references;
        this.metrics = metrics;
        if (layer != null) {
            Map<String, String> first = layer.values();
            Map<String, String> resolved = new HashMap<>();
            first.forEach((key, value) -> {
                try {
                    resolved.put(key, references.resolve(value));
                } catch (IllegalArgumentException e) {
                    refuse(key, e.getMessage(), "it starts on its own configuration's value or the default");
                }
            });
            seen = Map.copyOf(first);
            Config merged = loader.load(service, overrides, resolved);
            try {
                ConfigChecks.check(merged, resolved.keySet());
                applied = Map.copyOf(resolved);
                this.current = merged;
            } catch (RuntimeException e) {
                applied = Map.copyOf(startValues(resolved));
                this.current = loader.load(service, overrides, applied);
            }
        } else {
            this.current = local != null ? local : loader.load(service, overrides, applied);
        }
        this.startConfig = current;
        this.restartRequired = current.get(RESTART_REQUIRED_KEY).asList(String.class).orElse(List.of());
    }

    /**
     * The central values a service starts with when some of them fail the checks: each refused one is replaced by the
     * newest earlier value of the key that passes (what running instances kept), else left out (the service starts on
     * the value of its own files, or the default), and reported in the health details and logged. The
     * bucket is shared and written while services run, so one refused value there must not keep new instances from
     * starting; a value of the service's own files, environment or command line that fails the checks still fails
     * the start.
     *
     * @throws IllegalArgumentException if the local configuration alone fails the checks of the refused keys
     */
    private Map<String, String> startValues(Map<String, String> resolved) {
        Map<String, String> refusals = ConfigChecks.refusals(resolved, values -> loader.load(service, overrides,
                                                                                              values));
        if (!refusals.isEmpty()) {
            // A value of the service's own sources that shadows or breaks these keys fails the start, naming the key.
            ConfigChecks.check(loader.load(service, overrides), refusals.keySet());
        }
        Map<String, String> accepted = new HashMap<>(resolved);
        accepted.keySet().removeAll(refusals.keySet());
        refusals.forEach((key, reason) -> {
            String earlier = lastGood(key, accepted);
            if (earlier != null) {
                accepted.put(key, earlier);
                refuse(key, reason, "it starts on the key's newest earlier value it accepts, as running instances "
                        + "kept");
            } else {
                refuse(key, reason, "it starts on its own configuration's value or the default");
            }
        });
        return accepted;
    }

    /** The newest earlier value of a refused key that passes the checks with the values accepted; null if none. */
    private String lastGood(String key, Map<String, String> accepted) {
        for (String raw : layer.earlierValues(key)) {
            try {
                String value = references.resolve(raw);
                Map<String, String> candidate = new HashMap<>(accepted);
                candidate.put(key, value);
                ConfigChecks.check(loader.load(service, overrides, candidate), Set.of(key));
                return value;
            } catch (RuntimeException e) {
                // refused too: try the one before
            }
        }
        return null;
    }

    /**
     * The configuration in force.
     *
     * @return the current configuration
     */
    public Config current() {
        return current;
    }

    /**
     * Starts applying the layer's changes, now that the resilience registry they may change exists.
     *
     * @param resilience the service's policies, rebound when their settings change
     * @throws IllegalArgumentException if a {@code features.*} or {@code log.level.*} value in force is invalid
     */
    public void start(Resilience resilience) {
        Config config = current;
        Set<String> keys = keysUnder(config, FEATURES_PREFIX);
        keys.addAll(keysUnder(config, LogLevels.PREFIX));
        // Refused central values were left out when the configuration was loaded: what fails here comes from the
        // service's own sources, and the start fails naming the key, as with any invalid local setting.
        check(keys, config);
        for (String key : keys) {
            if (key.startsWith(LogLevels.PREFIX)) {
                LogLevels.apply(key.substring(LogLevels.PREFIX.length()), config.get(key).asString().orElse(null));
            }
        }
        this.resilience = resilience;
        if (layer != null) {
            layer.watch(this::update);
        }
    }

    /**
     * Calls {@code listener} with the new configuration whenever a key under {@code prefix} changes.
     *
     * @param prefix the key prefix; empty for every key
     * @param listener the listener
     * @throws NullPointerException if an argument is {@code null}
     */
    public void onChange(String prefix, Consumer<Config> listener) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(listener, "listener");
        listeners.add(new Listener(prefix, listener));
    }

    /** Takes the layer's complete new values and handles every key that differs from what was last seen. */
    synchronized void update(Map<String, String> values) {
        String previousService = MDC.get(CallContext.MDC_SERVICE);
        MDC.put(CallContext.MDC_SERVICE, service);
        try {
            Set<String> keys = new TreeSet<>(values.keySet());
            keys.addAll(seen.keySet());
            for (String key : keys) {
                String value = values.get(key);
                if (!Objects.equals(value, seen.get(key))) {
                    change(key, value);
                }
            }
            seen = Map.copyOf(values);
        } finally {
            if (previousService == null) {
                MDC.remove(CallContext.MDC_SERVICE);
            } else {
                MDC.put(CallContext.MDC_SERVICE, previousService);
            }
        }
    }

    private void change(String key, String raw) {
        String value;
        try {
            value = raw == null ? null : references.resolve(raw);
        } catch (IllegalArgumentException e) {
            refuse(key, e.getMessage());
            return;
        }
        Map<String, String> candidateValues = new HashMap<>(applied);
        if (value == null) {
            candidateValues.remove(key);
        } else {
            candidateValues.put(key, value);
        }
        Config candidate;
        try {
            candidate = loader.load(service, overrides, candidateValues);
        } catch (RuntimeException e) {
            refuse(key, e.getMessage());
            return;
        }
        Set<String> changed = changedKeys(current, candidate);
        if (changed.isEmpty()) {
            // Shadowed by a source that ranks higher (a system property, say), or the same value again.
            applied = Map.copyOf(candidateValues);
            refused.remove(key);
            LOG.debug("Service '{}': central key {} changed with no effect on the configuration in force",
                      service, key);
            return;
        }
        List<String> restart = changed.stream().filter(this::needsRestart).toList();
        if (!restart.isEmpty()) {
            boolean backToStart = changedKeys(startConfig, candidate).stream().noneMatch(this::needsRestart);
            if (backToStart) {
                pendingRestart.clear();
            } else {
                pendingRestart.addAll(restart);
            }
            count("restart-required");
            LOG.warn("Service '{}': central key {} changed to {}; {} is read at start only: the change needs a "
                             + "restart and is not applied", service, key, ValueReferences.printable(key, value),
                     restart);
            return;
        }
        try {
            check(changed, candidate);
        } catch (RuntimeException e) {
            refuse(key, e.getMessage());
            return;
        }
        Config previous = current;
        boolean resilienceChanged = changed.stream().anyMatch(k -> k.startsWith("resilience."));
        List<Listener> called = new ArrayList<>();
        try {
            if (resilienceChanged && resilience != null) {
                resilience.reconfigure(candidate.get("resilience"));
            }
            for (Listener listener : listeners) {
                if (listener.matches(changed)) {
                    called.add(listener);
                    listener.action().accept(candidate);
                }
            }
        } catch (RuntimeException e) {
            rollBack(previous, resilienceChanged, called);
            refuse(key, e.getMessage());
            return;
        }
        current = candidate;
        applied = Map.copyOf(candidateValues);
        refused.remove(key);
        for (String k : changed) {
            if (k.startsWith(LogLevels.PREFIX)) {
                LogLevels.apply(k.substring(LogLevels.PREFIX.length()), candidate.get(k).asString().orElse(null));
            }
        }
        count("applied");
        LOG.info("Service '{}': central key {} is now {}", service, key, ValueReferences.printable(key, value));
    }

    /** Puts back what listeners and the resilience registry had before a refused change. Never throws. */
    private void rollBack(Config previous, boolean resilienceChanged, List<Listener> called) {
        try {
            if (resilienceChanged && resilience != null) {
                resilience.reconfigure(previous.get("resilience"));
            }
            for (Listener listener : called) {
                listener.action().accept(previous);
            }
        } catch (RuntimeException e) {
            LOG.warn("Service '{}': a listener failed while its configuration was put back: {}", service,
                     e.toString());
        }
    }

    /** The checks every service gets ({@link ConfigChecks}); a service's own listeners check their keys too. */
    private static void check(Set<String> changed, Config candidate) {
        ConfigChecks.check(candidate, changed);
    }

    private boolean needsRestart(String key) {
        for (String prefix : RESTART_REQUIRED) {
            if (key.equals(prefix) || key.startsWith(prefix + ".")) {
                return true;
            }
        }
        for (String prefix : extensionSections) {
            if (key.equals(prefix) || key.startsWith(prefix + ".")) {
                return true;
            }
        }
        for (String prefix : restartRequired) {
            if (key.equals(prefix) || key.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    private void refuse(String key, String reason) {
        refuse(key, reason, "the value in force is kept");
    }

    private void refuse(String key, String reason, String outcome) {
        String shown = ValueReferences.looksSecret(key) ? "invalid value" : String.valueOf(reason);
        synchronized (refused) {
            if (refused.size() < MAX_REFUSALS_SHOWN || refused.containsKey(key)) {
                refused.put(key, shown);
            }
        }
        count("refused");
        LOG.warn("Service '{}' refused central key {}: {}; {}", service, key, shown, outcome);
    }

    private void count(String outcome) {
        if (metrics != null) {
            metrics.getOrCreate(Counter.builder("flotilla.config.changes")
                                        .addTag(Tag.create("service", service))
                                        .addTag(Tag.create("outcome", outcome)))
                    .increment();
        }
    }

    private static Set<String> changedKeys(Config before, Config after) {
        Map<String, String> a = flat(before);
        Map<String, String> b = flat(after);
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        keys.removeIf(k -> Objects.equals(a.get(k), b.get(k)));
        return keys;
    }

    /**
     * The keys starting with {@code prefix} (which ends with a dot), read from that section only: flattening the
     * whole tree, the environment's too, was a good part of a service's start.
     */
    private static Set<String> keysUnder(Config config, String prefix) {
        Set<String> keys = new TreeSet<>(flat(config.get(prefix.substring(0, prefix.length() - 1))).keySet());
        keys.removeIf(k -> !k.startsWith(prefix));
        return keys;
    }

    private static Map<String, String> flat(Config config) {
        return config.asMap().orElse(Map.of());
    }

    /**
     * What the service's readiness reports about its configuration: the central layer, refused keys and keys that
     * wait for a restart. Readiness stays up: a refused value or an unreachable bucket never takes the service down.
     *
     * @return the details, in a stable order
     */
    public synchronized Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        if (layer == null) {
            details.put("central", "none");
            return details;
        }
        details.put("central", layer.description());
        details.putAll(layer.status());
        synchronized (refused) {
            refused.forEach((key, reason) -> details.put("refused." + key, reason));
        }
        if (!pendingRestart.isEmpty()) {
            details.put("restart-required", String.join(",", pendingRestart));
        }
        return details;
    }

    @Override
    public void close() {
        if (layer != null) {
            layer.close();
        }
    }
}
