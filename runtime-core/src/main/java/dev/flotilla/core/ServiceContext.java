package dev.flotilla.core;

import java.net.URI;
import java.util.Optional;

import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.resilience.Resilience;
import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;
import org.slf4j.Logger;
import dev.flotilla.core.observability.Tracing;

/**
 * What the runtime hands a running {@link Service}: its identity, its configuration, its logger, its extensions
 * (such as messaging) and a place to register resources to close on shutdown.
 *
 * <p>One context exists per service start; nothing in it is shared with other services in the same JVM.
 * Instances are thread-safe.
 */
public interface ServiceContext {

    /**
     * The service's name, as given to {@link Service#Service(String, String)}.
     *
     * @return the name; never {@code null}
     */
    String name();

    /**
     * The service's version, as given to {@link Service#Service(String, String)}.
     *
     * @return the version; never {@code null}
     */
    String version();

    /**
     * The service's own view of the configuration, with its per-service section and overrides already applied
     * (see {@code docs/configuration.md} for the precedence of sources). With central configuration, this returns
     * the configuration in force now: read it where the value is used, rather than keeping a node from start-up,
     * to see values changed at run time.
     *
     * @return the root of the service's configuration in force; never {@code null}
     */
    Config config();

    /**
     * Registers a listener for run-time changes of the service's configuration under a key prefix (the key itself
     * or any key below it; {@code ""} for every key), such as {@code orders.max-items}. The listener gets the new
     * configuration root before it is in force and binds its values; by throwing it refuses the change, which is then
     * logged with the key and the reason, counted and shown in health details while the old value stays. Listeners
     * run one change at a time, in registration order. Only a service with central configuration sees changes; the
     * default implementation, for contexts whose configuration never changes, ignores the listener.
     *
     * @param keyPrefix the dotted key prefix
     * @param listener  receives the new configuration root; throws to refuse it
     * @throws NullPointerException if an argument is {@code null}
     */
    default void onConfigChange(String keyPrefix, java.util.function.Consumer<Config> listener) {
        java.util.Objects.requireNonNull(keyPrefix, "keyPrefix");
        java.util.Objects.requireNonNull(listener, "listener");
    }

    /**
     * Whether the feature flag {@code features.<name>} is on in the configuration in force now; flags can change at
     * run time through central configuration (a value other than {@code true} or {@code false} is refused).
     *
     * @param name the flag's name, such as {@code express-checkout}
     * @return {@code true} when the flag is set to {@code true}; {@code false} when it is off or not set
     * @throws NullPointerException if {@code name} is {@code null}
     */
    default boolean feature(String name) {
        java.util.Objects.requireNonNull(name, "name");
        return config().get("features").get(name).asBoolean().orElse(false);
    }

    /**
     * Who made the request (or sent the message) this thread is handling, as the service verified it: the user with
     * its roles and scopes, and the calling service. Read it in a handler; outside one it is anonymous.
     *
     * @return the caller of the current request; {@link dev.flotilla.core.security.Caller#anonymous()} when it
     *         presented no credential, or outside a request
     */
    default dev.flotilla.core.security.Caller caller() {
        return dev.flotilla.core.observability.CallContext.current()
                .map(dev.flotilla.core.observability.CallContext::caller)
                .orElse(dev.flotilla.core.security.Caller.anonymous());
    }

    /**
     * A logger named after the service. Lines written during a request carry the service name and correlation
     * id in the MDC.
     *
     * @return the service's logger; never {@code null}
     */
    Logger logger();

    /**
     * The base URI of the service's HTTP server, such as {@code http://127.0.0.1:41234}.
     *
     * @return the URI once the server listens; empty before that and after stop
     */
    Optional<URI> uri();

    /**
     * The current lifecycle state of the service.
     *
     * @return the state; never {@code null}
     */
    ServiceState state();

    /**
     * The meter registry served at {@code /metrics}. Services in one JVM share it (Helidon keeps one), so tag the
     * meters you register with the service's {@link #name()}, as Flotilla's own meters are.
     *
     * @return the registry; never {@code null}
     */
    MeterRegistry metrics();

    /**
     * The service's tracing: spans of requests, client calls and messages, exported where {@code tracing} is
     * configured (see {@code docs/observability.md}); propagation only otherwise.
     *
     * @return the tracing; never {@code null}. This default (for contexts not made by the runtime) never exports.
     */
    default Tracing tracing() {
        return Tracing.propagationOnly(name());
    }

    /**
     * The service's resilience registry, configured from its {@code resilience} settings: the named policy sets
     * its clients and handlers share. Open circuit breakers show in the service's health details.
     *
     * @return the registry; never {@code null}
     */
    Resilience resilience();

    /**
     * The factory of the service's typed HTTP clients. Instances are found, in order, in
     * {@code clients.<name>.uris}, among the services of the same {@link ServiceRuntime}, then through extensions
     * that implement {@link dev.flotilla.core.discovery.ServiceDiscovery}.
     *
     * @return the factory; never {@code null}
     */
    ServiceClients clients();

    /**
     * A typed client for another service's contract interface: {@code context.client(UserApi.class, "user-service")}.
     *
     * @param contract    the contract interface
     * @param serviceName the name of the service that serves it
     * @param <T>         the contract type
     * @return the client; thread-safe, and the same one for the same arguments
     * @throws NullPointerException                      if an argument is {@code null}
     * @throws dev.flotilla.core.http.ContractException if the interface is not a valid contract
     */
    default <T> T client(Class<T> contract, String serviceName) {
        return clients().create(contract, serviceName);
    }

    /**
     * Finds the extension of the given type that this service runs, for example messaging.
     *
     * @param type the interface or class the extension implements
     * @param <T>  the type
     * @return the extension; empty when no extension of that type runs for this service
     * @throws NullPointerException if {@code type} is {@code null}
     */
    <T> Optional<T> findExtension(Class<T> type);

    /**
     * Returns the extension of the given type that this service runs, for example messaging.
     *
     * @param type the interface or class the extension implements
     * @param <T>  the type
     * @return the extension; never {@code null}
     * @throws IllegalStateException if no extension of that type runs for this service (the message names what
     *                               to add to the classpath or the configuration)
     * @throws NullPointerException  if {@code type} is {@code null}
     */
    default <T> T extension(Class<T> type) {
        return findExtension(type).orElseThrow(() -> new IllegalStateException(
                "Service '" + name() + "' has no extension of type " + type.getName()
                        + ": add the module that provides it to the classpath and check its configuration."));
    }

    /**
     * Registers a resource to close when the service stops. Resources close in reverse order of registration,
     * after the service's own {@link Service#stop(ServiceContext)} hook.
     *
     * @param resource the resource
     * @param <T>      the resource's type
     * @return the resource, for chaining
     * @throws NullPointerException if {@code resource} is {@code null}
     */
    <T extends AutoCloseable> T closeOnStop(T resource);
}
