package dev.flotilla.core.config;

import java.util.Optional;
import java.util.Set;

import io.helidon.config.Config;

/**
 * Creates a {@link ConfigLayer} for each service that starts: an extra, possibly live, source of configuration such
 * as the central configuration in a NATS key-value bucket ({@code runtime-messaging}).
 *
 * <p>Providers are found with {@link java.util.ServiceLoader} (declare them in
 * {@code META-INF/services/dev.flotilla.core.config.ConfigLayerProvider}) and can also be added in code through
 * {@link dev.flotilla.core.ServiceRuntime.Builder#addConfigLayer(ConfigLayerProvider)}. The first provider that
 * returns a layer for a service is used. A provider must hold no state of its own beyond its configuration: several
 * services in one JVM share it.
 */
public interface ConfigLayerProvider {

    /**
     * Creates this provider's layer for one service, or none when the service's local configuration does not ask
     * for it. The layer is created before the service's configuration is complete, so it reads its own settings
     * from {@code localConfig}.
     *
     * @param serviceName the service's name
     * @param localConfig the service's configuration from every source except this layer
     * @return the layer with its first values loaded, or empty when this service does not use it
     * @throws RuntimeException if the layer is asked for but cannot be loaded; the service then fails to start with
     *                          that message
     */
    Optional<ConfigLayer> create(String serviceName, Config localConfig);

    /**
     * The configuration sections this provider reads once, when a service starts. A live change of a key under one
     * of them is logged as needing a restart and is not applied. Empty by default.
     *
     * @return the section names (top-level keys or dotted prefixes such as {@code config.central})
     */
    default Set<String> sectionsReadAtStart() {
        return Set.of();
    }
}
