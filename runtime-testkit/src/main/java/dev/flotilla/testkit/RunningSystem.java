package dev.flotilla.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.ServiceState;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.testkit.nats.NatsServer;

/**
 * What one start of a {@link TestSystem} brought up, until it is stopped: the nats-server (when the system runs its
 * own), the services, the message capture, the test's clients and the central configuration bucket. {@link Startup}
 * fills it in while it starts; afterwards only the system's lifecycle calls, under the system's lock, change it.
 */
final class RunningSystem implements AutoCloseable {
    /** Null on the in-JVM transport. */
    String natsUrl;
    /** Null unless the system runs its own nats-server. */
    NatsServer natsServer;
    ServiceRuntime runtime;
    MessageCapture capture;
    ServiceClients clients;
    /** Null unless the system runs least-privilege NATS. */
    LeastPrivilegeNats leastPrivilege;
    /** Null unless the system has central configuration. */
    CentralBucket central;
    Duration startupTime = Duration.ZERO;

    /** The services; throws {@link IllegalStateException} once stopped. */
    ServiceRuntime runtime() {
        return started(runtime);
    }

    /** The test's typed clients; throws {@link IllegalStateException} once stopped. */
    ServiceClients clients() {
        return started(clients);
    }

    /** The message capture; throws {@link IllegalStateException} once stopped. */
    MessageCapture capture() {
        return started(capture);
    }

    private static <T> T started(T part) {
        if (part == null) {
            throw new IllegalStateException("The test system is not running");
        }
        return part;
    }

    /** {@code nats} or {@code in-jvm}. */
    String transport() {
        return natsUrl == null ? "in-jvm" : "nats";
    }

    /** The central configuration bucket; empty when the system has none. */
    Optional<CentralBucket> central() {
        return Optional.ofNullable(central);
    }

    /** The system's own nats-server; empty when it uses an external server or the in-JVM transport. */
    Optional<NatsServer> natsServer() {
        return Optional.ofNullable(natsServer);
    }

    /** The URIs of a service's ready instances, for the test's typed clients. */
    List<URI> readyInstances(String name) {
        ServiceRuntime current = runtime;
        if (current == null) {
            return List.of();
        }
        return current.instances(name).stream()
                .filter(h -> h.state() == ServiceState.READY)
                .map(ServiceHandle::uri)
                .toList();
    }

    /**
     * Starts again whatever a test stopped (the nats-server, services) and puts the central configuration back to
     * its seed.
     */
    void restoreForNextTest() {
        if (natsServer != null && !natsServer.isRunning()) {
            natsServer.restart();
        }
        if (runtime != null) {
            for (ServiceHandle handle : runtime.services()) {
                if (handle.state() != ServiceState.READY) {
                    handle.start();
                }
            }
        }
        if (central != null) {
            central.reset(runtime);
        }
    }

    /** Stops the clients, the services, the capture, the central bucket's client and the nats-server, in that order. */
    @Override
    public void close() {
        if (clients != null) {
            clients.close();
            clients = null;
        }
        if (runtime != null) {
            runtime.stop();
            runtime = null;
        }
        if (capture != null) {
            capture.close();
            capture = null;
        }
        if (central != null) {
            central.close();
            central = null;
        }
        if (natsServer != null) {
            natsServer.close();
            natsServer = null;
        }
        if (leastPrivilege != null) {
            leastPrivilege.close();
            leastPrivilege = null;
        }
        natsUrl = null;
    }
}
