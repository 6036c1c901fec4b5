package dev.flotilla.core;

import java.util.Optional;
import java.util.Set;


/**
 * Creates a {@link ServiceExtension} for each service that starts.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader} (declare them in
 * {@code META-INF/services/dev.flotilla.core.ServiceExtensionProvider}) and can also be added in code through
 * {@link dev.flotilla.core.ServiceRuntime.Builder#addExtension(ServiceExtensionProvider)}. A provider must hold no
 * state of its own beyond its configuration: several services in one JVM share it.
 */
public interface ServiceExtensionProvider {

    /**
     * Creates this provider's extension for one service, or none when the service's config does not ask for it.
     *
     * @param context the service's context; its {@link ServiceContext#uri()} is not known yet
     * @return the extension, or empty when this service does not use it
     * @throws RuntimeException if the service's configuration for this extension is invalid; the service then
     *                          fails to start with that message
     */
    Optional<ServiceExtension> create(ServiceContext context);

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
