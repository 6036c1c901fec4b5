package dev.flotilla.core.config.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import io.helidon.config.yaml.YamlConfigParser;

/**
 * Builds a service's own view of the configuration from layered sources. Highest precedence first:
 * <ol>
 *     <li>overrides given in code (the runtime builder, the testkit) and command-line {@code --key=value};</li>
 *     <li>Java system properties, except the JVM's own ({@code java.*}, {@code jdk.*}, {@code sun.*}, {@code os.*},
 *     {@code user.*}, {@code file.*}, {@code line.*}, {@code path.*}, {@code native.*}, {@code stdout.*},
 *     {@code stderr.*});</li>
 *     <li>environment variables (Helidon's mapping: {@code SERVER_PORT} is {@code server.port});</li>
 *     <li>the central configuration, when the service has a {@link dev.flotilla.core.config.ConfigLayer} (its values
 *     are already the service's own: the layer merges shared and per-service keys);</li>
 *     <li>the classpath resource {@code <service-name>.yaml};</li>
 *     <li>the classpath resource {@code application.yaml}.</li>
 * </ol>
 * Within each file, system-property and environment layer, keys under the section named after the service win over the same keys at
 * the root: {@code order-service.server.port} beats {@code server.port} for {@code order-service}. Overrides are
 * already the service's own and have no section.
 *
 * <p>The environment and {@code application.yaml} are read once per loader (one loader per runtime); system
 * properties and the service's own file are read at every start (the system properties' tree is made again only
 * when they changed). Not API: may change without notice. Thread-safe.
 */
public final class ServiceConfigLoader {
    private final Supplier<Map<String, String>> environment;
    private final Supplier<Map<String, String>> systemProperties;

    /**
     * @param environment      the environment variables, as the process has them (names mapped to keys here)
     * @param systemProperties the system properties
     */
    ServiceConfigLoader(Supplier<Map<String, String>> environment, Supplier<Map<String, String>> systemProperties) {
        this.environment = environment;
        this.systemProperties = systemProperties;
    }

    /**
     * The loader of this process: its environment variables and system properties.
     *
     * @return the loader
     */
    public static ServiceConfigLoader fromProcess() {
        return new ServiceConfigLoader(System::getenv, () -> copy(System.getProperties()));
    }

    /**
     * Environment variables as configuration keys, by Helidon's mapping: each variable under its own name, and a
     * name made of letters, digits and {@code _} also as a key: {@code _dash_} (or {@code _DASH_}) becomes {@code -},
     * {@code _} becomes {@code .}, in lower case. {@code MESSAGING_NATS_SERVERS} is {@code messaging.nats.servers},
     * {@code SERVER_ADVERTISED_dash_HOST} is {@code server.advertised-host}.
     *
     * <p>Done here, not by Helidon's own environment source: that source answers keys only when asked one by one
     * and shows none when its tree is walked, and the layers below are made by walking trees.
     */
    static Map<String, String> environmentKeys(Map<String, String> variables) {
        Map<String, String> keys = new HashMap<>(variables);
        variables.forEach((name, value) -> {
            if (name.indexOf('_') > 0 && name.chars().allMatch(c -> c == '_' || Character.isLetterOrDigit(c))) {
                String key = name.replace("_dash_", "-").replace("_DASH_", "-").replace('_', '.')
                        .toLowerCase(java.util.Locale.ROOT);
                keys.putIfAbsent(key, value);
            }
        });
        return keys;
    }

    /**
     * Loads a service's configuration from the local sources, in their order of precedence.
     *
     * @param serviceName the service's name
     * @param overrides values that win over every source
     * @return the configuration
     */
    public Config load(String serviceName, Map<String, String> overrides) {
        return load(serviceName, overrides, Map.of());
    }

    /**
     * Loads with central values between the environment and the service's own file.
     *
     * @param central flat keys of the service's configuration; empty for none
     */
    Config load(String serviceName, Map<String, String> overrides, Map<String, String> central) {
        Config.Builder builder = ofReadSources()
                .addSource(ConfigSources.create(overrides).name("overrides").build());
        systemPropertiesLayer().addTo(builder, serviceName);
        ProcessLayers process = processLayers();
        process.environment().addTo(builder, serviceName);
        if (!central.isEmpty()) {
            // Below the environment, above the files; already the service's own view, so no section to find.
            builder.addSource(ConfigSources.create(central).name("central").build());
        }
        new Layer(layer(ConfigSources.classpath(serviceName + ".yaml").optional().build())).addTo(builder, serviceName);
        process.application().addTo(builder, serviceName);
        return builder.build();
    }

    /**
     * The process's own configuration, without any service's file or section: system properties, environment
     * variables and {@code application.yaml}, in that order of precedence, from the layers this loader has read
     * already. It is what Helidon would read for itself when a library asks its service registry for the
     * configuration (the metrics registry does), so it is handed to Helidon instead of being read a second time.
     *
     * @return the configuration
     */
    public Config processConfig() {
        Config.Builder builder = ofReadSources();
        ProcessLayers process = processLayers();
        for (Layer layer : List.of(systemPropertiesLayer(), process.environment(), process.application())) {
            layer.addWholeTo(builder);
        }
        return builder.build();
    }

    /**
     * A builder for sources that are maps or trees read already (each file by its own layer, with its parser):
     * nothing is left to parse, so the parsers are not looked up on the class path at every start, and the
     * environment and system properties come only as the layers given.
     */
    private static Config.Builder ofReadSources() {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableParserServices();
    }

    /**
     * One source of configuration as a tree, with the sources made from it cached per service: a service's section
     * (its keys win over the same keys at the root), then the whole layer. A source made from a tree holds no state,
     * so several configurations can share it; making it copies the tree, which for the environment is large.
     */
    private static final class Layer {
        private final Config config;
        private final ConfigSource whole;
        private final Map<String, Optional<ConfigSource>> sections = new ConcurrentHashMap<>();

        Layer(Config config) {
            this.config = config;
            this.whole = config.exists() ? ConfigSources.create(config) : null;
        }

        void addTo(Config.Builder builder, String serviceName) {
            sections.computeIfAbsent(serviceName, name -> {
                Config section = config.get(name);
                return section.exists() ? Optional.of(ConfigSources.create(section)) : Optional.empty();
            }).ifPresent(builder::addSource);
            addWholeTo(builder);
        }

        void addWholeTo(Config.Builder builder) {
            if (whole != null) {
                builder.addSource(whole);
            }
        }
    }

    /** The layers every service of a runtime shares, read once: the environment and application.yaml. */
    private record ProcessLayers(Layer environment, Layer application) {
    }

    private volatile ProcessLayers processLayers;
    /** The system properties last read and their layer: read at every start, made again only when they changed. */
    private volatile SystemPropertiesLayer lastSystemProperties;

    private record SystemPropertiesLayer(Map<String, String> values, Layer layer) {
    }

    private ProcessLayers processLayers() {
        ProcessLayers layers = processLayers;
        if (layers == null) {
            synchronized (this) {
                layers = processLayers;
                if (layers == null) {
                    layers = new ProcessLayers(new Layer(layer(ConfigSources.create(environmentKeys(environment.get()))
                                                                       .name("environment variables").build())),
                                               new Layer(layer(ConfigSources.classpath("application.yaml")
                                                                       .optional().build())));
                    processLayers = layers;
                }
            }
        }
        return layers;
    }

    private Layer systemPropertiesLayer() {
        Map<String, String> values = systemProperties.get();
        SystemPropertiesLayer last = lastSystemProperties;
        if (last != null && last.values().equals(values)) {
            return last.layer();
        }
        synchronized (this) { // services starting together make it once
            last = lastSystemProperties;
            if (last == null || !last.values().equals(values)) {
                last = new SystemPropertiesLayer(values, new Layer(layer(ConfigSources.create(values).build())));
                lastSystemProperties = last;
            }
            return last.layer();
        }
    }

    /**
     * A source read as a tree, to take sections from. Only nodes are read from it, so it needs no mapper service;
     * its only parser is YAML (the service loader's look-ups for both were a good part of a service's start).
     */
    private static Config layer(ConfigSource source) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableMapperServices()
                .disableParserServices()
                .addParser(YamlConfigParser.create())
                .addSource(source)
                .build();
    }

    /**
     * The JVM's own properties ({@code java.version}, {@code user.dir}, ...) describe the process, not a service:
     * left out, they do not make every service's configuration tree several times larger.
     */
    private static final List<String> JVM_PROPERTY_PREFIXES = List.of("java.", "jdk.", "sun.", "os.", "user.",
                                                                      "file.", "line.", "path.", "native.",
                                                                      "stdout.", "stderr.");

    static Map<String, String> copy(Properties properties) {
        Map<String, String> map = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (JVM_PROPERTY_PREFIXES.stream().noneMatch(name::startsWith)) {
                map.put(name, properties.getProperty(name));
            }
        }
        return map;
    }
}
