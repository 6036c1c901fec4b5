package dev.flotilla.core;

import java.util.Optional;

import dev.flotilla.core.ServiceContext;

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
}
