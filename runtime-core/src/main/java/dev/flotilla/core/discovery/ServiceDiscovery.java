package dev.flotilla.core.discovery;

import java.net.URI;
import java.util.List;

/**
 * Finds the live HTTP instances of a service by name: the extension point behind typed clients.
 *
 * <p>Flotilla asks, in order: the static list in the caller's config ({@link StaticDiscovery},
 * {@code clients.<name>.uris}), the services hosted in the same {@link dev.flotilla.core.ServiceRuntime}, then every
 * service extension that implements this interface (messaging's NATS discovery). The first non-empty answer wins.
 *
 * <p>Implementations must be thread-safe and answer quickly (from a cache): they are asked on every call.
 */
@FunctionalInterface
public interface ServiceDiscovery {

    /**
     * The base URIs of the live instances of a service, such as {@code http://10.0.0.5:8081}.
     *
     * @param serviceName the service's name
     * @return the instances, in a stable order; empty when none is known
     */
    List<URI> instances(String serviceName);
}
