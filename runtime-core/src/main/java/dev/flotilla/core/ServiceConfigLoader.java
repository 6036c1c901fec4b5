package dev.flotilla.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;

/**
 * Builds a service's own view of the configuration from layered sources. Highest precedence first:
 * <ol>
 *     <li>overrides given in code (the runtime builder, the testkit) and command-line {@code --key=value};</li>
 *     <li>Java system properties;</li>
 *     <li>environment variables (Helidon's mapping: {@code SERVER_PORT} is {@code server.port});</li>
 *     <li>the central configuration, when the service has a {@link dev.flotilla.core.spi.ConfigLayer} (its values
 *     are already the service's own: the layer merges shared and per-service keys);</li>
 *     <li>the classpath resource {@code <service-name>.yaml};</li>
 *     <li>the classpath resource {@code application.yaml}.</li>
 * </ol>
 * Within each file, system-property and environment layer, keys under the section named after the service win over the same keys at
 * the root: {@code order-service.server.port} beats {@code server.port} for {@code order-service}. Overrides are
 * already the service's own and have no section.
 *
 * <p>The environment and {@code application.yaml} are read once per loader (one loader per runtime); system
 * properties and the service's own file are read at every start.
 */
final class ServiceConfigLoader {
    private final Supplier<ConfigSource> environment;
    private final Supplier<Map<String, String>> systemProperties;

    ServiceConfigLoader(Supplier<ConfigSource> environment, Supplier<Map<String, String>> systemProperties) {
        this.environment = environment;
        this.systemProperties = systemProperties;
    }

    static ServiceConfigLoader fromProcess() {
        return new ServiceConfigLoader(ConfigSources::environmentVariables,
                                       () -> copy(System.getProperties()));
    }

    Config load(String serviceName, Map<String, String> overrides) {
        return load(serviceName, overrides, Map.of());
    }

    /**
     * Loads with central values between the environment and the service's own file.
     *
     * @param central flat keys of the service's configuration; empty for none
     */
    Config load(String serviceName, Map<String, String> overrides, Map<String, String> central) {
        List<Config> layers = new ArrayList<>();
        layers.add(layer(ConfigSources.create(systemProperties.get()).build()));
        layers.add(processLayers().environment());
        Config centralLayer = central.isEmpty() ? null : layer(ConfigSources.create(central).name("central").build());
        layers.add(layer(ConfigSources.classpath(serviceName + ".yaml").optional().build()));
        layers.add(processLayers().application());

        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(overrides).name("overrides").build());
        for (int i = 0; i < layers.size(); i++) {
            Config layer = layers.get(i);
            if (i == 2 && centralLayer != null) {
                // Below the environment, above the files; already the service's own view, so no section to find.
                builder.addSource(ConfigSources.create(centralLayer));
            }
            Config section = layer.get(serviceName);
            if (section.exists()) {
                builder.addSource(ConfigSources.create(section));
            }
            if (layer.exists()) {
                builder.addSource(ConfigSources.create(layer));
            }
        }
        return builder.build();
    }

    /** The layers every service of a runtime shares, read once: the environment and application.yaml. */
    private record ProcessLayers(Config environment, Config application) {
    }

    private volatile ProcessLayers processLayers;

    private ProcessLayers processLayers() {
        ProcessLayers layers = processLayers;
        if (layers == null) {
            synchronized (this) {
                layers = processLayers;
                if (layers == null) {
                    layers = new ProcessLayers(layer(environment.get()),
                                               layer(ConfigSources.classpath("application.yaml").optional().build()));
                    processLayers = layers;
                }
            }
        }
        return layers;
    }

    private static Config layer(ConfigSource source) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(source)
                .build();
    }

    private static Map<String, String> copy(Properties properties) {
        Map<String, String> map = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            map.put(name, properties.getProperty(name));
        }
        return map;
    }
}
