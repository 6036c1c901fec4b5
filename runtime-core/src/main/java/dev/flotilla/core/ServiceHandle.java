package dev.flotilla.core;

import java.net.URI;

/**
 * A service hosted by a {@link ServiceRuntime}: its state and address, and the means to stop and start it again
 * (the testkit uses this to test failures). Thread-safe.
 */
public interface ServiceHandle {

    /**
     * The hosted service.
     *
     * @return the service object; never {@code null}
     */
    Service service();

    /**
     * The service's name.
     *
     * @return the name; never {@code null}
     */
    default String name() {
        return service().name();
    }

    /**
     * The current lifecycle state.
     *
     * @return the state; never {@code null}
     */
    ServiceState state();

    /**
     * The context of the current (or last) run of the service.
     *
     * @return the context
     * @throws IllegalStateException if the service has never been started
     */
    ServiceContext context();

    /**
     * The port the service's HTTP server listens on.
     *
     * @return the port
     * @throws IllegalStateException if the service is not running
     */
    int port();

    /**
     * The base URI of the service's HTTP server, such as {@code http://127.0.0.1:41234}.
     *
     * @return the URI
     * @throws IllegalStateException if the service is not running
     */
    URI uri();

    /**
     * Starts the service if it is not running: loads its configuration, starts its server, its extensions and its
     * start-up hook, then marks it ready. Does nothing if it is already running.
     *
     * @throws ServiceStartException if the service cannot start; it is left stopped ({@link ServiceState#FAILED})
     */
    void start();

    /**
     * Stops the service gracefully: readiness goes down, new requests are refused after the grace period, requests
     * in flight finish within the drain timeout, then extensions drain and the shutdown hooks run in reverse order
     * of start-up. Does nothing if the service is not running. Never throws: failures are logged.
     */
    void stop();

    /**
     * Stops the service abruptly, as close to a crash as one JVM allows (for tests of recovery): no grace period,
     * no drain, no shutdown hook; the web server stops at once and the resources and extensions are closed
     * (a saga engine interrupts its running steps). Start it again with {@link #start()}. Does nothing if the
     * service is not running. Never throws: failures are logged. By default the same as {@link #stop()}.
     */
    default void kill() {
        stop();
    }
}
