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

    /**
     * Tells discovery that a call to one of the instances it listed could not connect (refused, reset, unreachable):
     * the instance may be gone. Typed clients call this on every such failure. An implementation that caches its
     * answers should ask again soon, and keep asking at a short interval while instances are missing, so that a
     * stopped instance leaves the answer and a restarted one joins it without waiting out the cache. Must return
     * quickly (work in the background). The default does nothing: a static list has nothing to refresh.
     *
     * @param serviceName the service's name, as passed to {@link #instances}
     * @param instance    the instance that could not be reached, as {@link #instances} returned it
     */
    default void unreachable(String serviceName, URI instance) {
    }
}
