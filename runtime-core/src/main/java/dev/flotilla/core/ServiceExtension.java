package dev.flotilla.core;

import java.time.Duration;
import java.util.List;

import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRouting;

/**
 * A per-service component that takes part in a service's lifecycle, such as the messaging connection.
 *
 * <p>An extension is created once per service start by its {@link ServiceExtensionProvider}. The runtime calls
 * its hooks in this order:
 * <ol>
 *     <li>{@link #routing(HttpRouting.Builder)} while the service's HTTP routing is built;</li>
 *     <li>{@link #start()} after the web server listens and before the service's own start-up hook;</li>
 *     <li>{@link #drain(Duration)} when the service stops, after HTTP traffic has drained;</li>
 *     <li>{@link #stop()} after the service's own shutdown hook, in reverse order of start.</li>
 * </ol>
 * A service reaches an extension through {@link dev.flotilla.core.ServiceContext#extension(Class)}, by any
 * interface the extension object implements.
 *
 * <p>Implementations need not be thread-safe for their lifecycle hooks: the runtime calls them from one thread.
 */
public interface ServiceExtension {

    /**
     * Adds filters, error handlers or routes to the service's HTTP routing.
     *
     * @param routing the routing being built for the service; never {@code null}
     */
    default void routing(HttpRouting.Builder routing) {
    }

    /**
     * Starts the extension: connect, declare, subscribe.
     *
     * @throws Exception if the extension cannot start; the service then fails to start and is stopped
     */
    default void start() throws Exception {
    }

    /**
     * Stops taking new work and lets work in flight finish, waiting at most {@code timeout}.
     *
     * @param timeout the longest time to wait for work in flight; never negative
     */
    default void drain(Duration timeout) {
    }

    /**
     * Releases every resource the extension holds. Called once, even when {@link #start()} failed.
     *
     * @throws Exception if a resource could not be released; the runtime logs it and goes on stopping
     */
    default void stop() throws Exception {
    }

    /**
     * Health checks this extension contributes to the service's {@code /health} endpoints.
     *
     * @return the checks; an empty list when there are none
     */
    default List<HealthCheck> healthChecks() {
        return List.of();
    }
}
