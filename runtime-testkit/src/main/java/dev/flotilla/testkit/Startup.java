package dev.flotilla.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;

import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.messaging.InJvmBroker;
import dev.flotilla.messaging.MessagingExtensionProvider;
import dev.flotilla.messaging.config.NatsConfigLayerProvider;
import dev.flotilla.testkit.nats.NatsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@link TestSystem}: chooses the transport (starting a nats-server when there is a binary), creates the
 * central configuration bucket, configures every service and starts them with the message capture, overlapping
 * what can run at the same time. Each call to {@link #start()} brings up a new {@link RunningSystem}.
 */
final class Startup {
    /** The system's own logger, so its messages read as the test system's. */
    private static final Logger LOG = LoggerFactory.getLogger(TestSystem.class);
    /** The phase times of a start, with the runtime's own (DEBUG; the logger the runtime uses for them). */
    private static final Logger PROFILE = LoggerFactory.getLogger("dev.flotilla.core.profile");

    private final SystemDefinition definition;
    private final Map<String, Faults> faults;
    private final Messages messages;
    /** Null unless spans are captured. */
    private final SpanCapture spans;
    /** Null unless answers are checked against the services' contracts. */
    private final ContractConformance conformance;

    Startup(SystemDefinition definition, Map<String, Faults> faults, Messages messages, SpanCapture spans,
            ContractConformance conformance) {
        this.definition = definition;
        this.faults = faults;
        this.messages = messages;
        this.spans = spans;
        this.conformance = conformance;
    }

    /**
     * Starts NATS (or the in-JVM transport) and every service, in declaration order.
     *
     * @return what runs
     * @throws IllegalStateException                   if no nats-server can be found and the in-JVM fallback is
     *                                                 not allowed
     * @throws dev.flotilla.core.ServiceStartException if a service cannot start
     */
    RunningSystem start() {
        try {
            return startOnce(true);
        } catch (NatsStartFailure e) {
            // The port picked up front was taken before nats-server bound it: start again the plain way.
            LOG.warn("nats-server did not start on the port chosen up front ({}); starting again, one step after "
                             + "another", e.getCause().getMessage());
            return startOnce(false);
        }
    }

    /** Thrown by a start whose concurrently started nats-server failed; what it started is stopped again. */
    private static final class NatsStartFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NatsStartFailure(Throwable cause) {
            super(cause);
        }
    }

    /**
     * One attempt to start. With {@code concurrentNats} (and a nats-server binary), the nats-server process starts on
     * a port picked here while the services are configured and their web servers start: a gate extension placed
     * before messaging holds each service's connection until the server is ready, and another one after it holds
     * every start-up hook until the capture connection is subscribed.
     */
    private RunningSystem startOnce(boolean concurrentNats) {
        long began = System.nanoTime();
        RunningSystem system = new RunningSystem();
        CompletableFuture<NatsServer> natsStarting = null;
        CompletableFuture<MessageCapture> captureStarting = null;
        try {
            // a central bucket is seeded before any service starts, so the nats-server cannot start in the background
            natsStarting = startTransport(system, concurrentNats && definition.centralSeed().isEmpty()
                    && definition.leastPrivilege().isEmpty());
            String testkitSeed = system.leastPrivilege == null ? null : system.leastPrivilege.testkitSeed();
            if (definition.centralSeed().isPresent()) {
                system.central = CentralBucket.create(system.natsUrl, testkitSeed, definition.centralSeed().get());
            }
            InJvmBroker broker = new InJvmBroker();
            String natsUrl = system.natsUrl;
            if (natsStarting == null) {
                captureStarting = CompletableFuture.completedFuture(startCapture(natsUrl, testkitSeed, broker));
            } else {
                CompletableFuture<NatsServer> nats = natsStarting.whenComplete((server, e) -> PROFILE.debug(
                        "test system: nats-server ready at {} ms", (System.nanoTime() - began) / 1_000_000));
                captureStarting = nats.thenApplyAsync(server -> startCapture(natsUrl, testkitSeed, broker),
                                                      Startup::virtualThread);
            }
            captureStarting.whenComplete((c, e) -> PROFILE.debug("test system: capture subscribed at {} ms",
                                                                 (System.nanoTime() - began) / 1_000_000));
            system.runtime = buildRuntime(system, broker, natsStarting, captureStarting);
            PROFILE.debug("test system: runtime built at {} ms", (System.nanoTime() - began) / 1_000_000);
            system.runtime.start();
            PROFILE.debug("test system: services ready at {} ms", (System.nanoTime() - began) / 1_000_000);
            system.capture = captureStarting.join();
            if (natsStarting != null) {
                system.natsServer = natsStarting.join();
            }
            if (system.leastPrivilege != null) {
                system.leastPrivilege.enforce(system.natsServer);
                PROFILE.debug("test system: least-privilege NATS in force at {} ms",
                              (System.nanoTime() - began) / 1_000_000);
            }
            system.clients = ServiceClients.builder().caller("test").discovery(system::readyInstances).build();
            system.startupTime = Duration.ofNanos(System.nanoTime() - began);
            LOG.info("Test system of {} service(s) ready on {} in {} ms", definition.entries().size(),
                     system.transport(), system.startupTime.toMillis());
            return system;
        } catch (RuntimeException e) {
            // what started in the background is stopped too, once it has finished starting
            if (captureStarting != null && system.capture == null) {
                system.capture = awaitQuietly(captureStarting);
            }
            if (natsStarting != null && system.natsServer == null) {
                system.natsServer = awaitQuietly(natsStarting);
            }
            system.close();
            if (natsStarting != null && natsStarting.isCompletedExceptionally()) {
                throw new NatsStartFailure(e);
            }
            throw e;
        }
    }

    private MessageCapture startCapture(String natsUrl, String seedOrNull, InJvmBroker broker) {
        return natsUrl == null ? MessageCapture.inJvm(broker, messages)
                : MessageCapture.nats(natsUrl, seedOrNull, messages);
    }

    private static void virtualThread(Runnable task) {
        Thread.ofVirtual().name("flotilla-testkit-start").start(task);
    }

    /** The future's value, or {@code null} when it failed (the failure surfaces where it was awaited). */
    private static <T> T awaitQuietly(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Chooses the transport and sets the system's NATS URL; with a nats-server binary, starts it (in the background
     * when {@code concurrent}).
     *
     * @return the nats-server starting in the background; {@code null} when it was not started that way
     */
    private CompletableFuture<NatsServer> startTransport(RunningSystem system, boolean concurrent) {
        if (definition.natsMode() == NatsMode.IN_JVM) {
            return null;
        }
        String external = System.getenv(TestSystem.NATS_URL_ENV);
        if (definition.leastPrivilege().isPresent()) {
            if (definition.natsBinary().get().isEmpty()) {
                throw new IllegalStateException("leastPrivilegeNats() needs the test system's own nats-server: "
                        + "install it with 'apt-get install nats-server' or set " + NatsServer.BINARY_ENV);
            }
            // its own server, even when NATS_URL names another: the permissions are that server's configuration
            system.leastPrivilege = LeastPrivilegeNats.prepare(
                    definition.entries().stream().map(e -> e.service().name()).toList(),
                    definition.leastPrivilege().get());
            system.natsServer = NatsServer.startWithConfig(system.leastPrivilege.configFile());
            system.natsUrl = system.natsServer.url();
            return null;
        }
        if (external != null && !external.isBlank()) {
            system.natsUrl = external;
            return null;
        }
        if (definition.natsBinary().get().isPresent()) {
            if (!concurrent) {
                system.natsServer = NatsServer.start();
                system.natsUrl = system.natsServer.url();
                return null;
            }
            int port = definition.natsPort().getAsInt();
            system.natsUrl = "nats://127.0.0.1:" + port;
            return CompletableFuture.supplyAsync(() -> NatsServer.start(port), Startup::virtualThread);
        }
        boolean required = Boolean.getBoolean(TestSystem.REQUIRE_NATS_PROPERTY);
        if (definition.fallbackToInJvm() && !required) {
            LOG.warn("No nats-server found (install it with 'apt-get install nats-server', or set {} or {}): "
                             + "this test system uses the in-JVM transport", NatsServer.BINARY_ENV,
                     TestSystem.NATS_URL_ENV);
            return null;
        }
        throw new IllegalStateException("No nats-server found for the test system: install it with "
                + "'apt-get install nats-server', set " + NatsServer.BINARY_ENV + " to its path, or set "
                + TestSystem.NATS_URL_ENV + " to a running server" + (required ? " ("
                + TestSystem.REQUIRE_NATS_PROPERTY + " is set, so the in-JVM transport is not allowed)"
                : "; or allow the in-JVM transport with TestSystem.builder().fallbackToInJvm()"));
    }

    /** A free loopback port for the nats-server, picked before it starts. */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port for nats-server", e);
        }
    }

    private ServiceRuntime buildRuntime(RunningSystem system, InJvmBroker broker,
                                        CompletableFuture<NatsServer> natsStarting,
                                        CompletableFuture<MessageCapture> captureStarting) {
        ServiceRuntime.Builder builder = ServiceRuntime.builder().discoverExtensions(false);
        if (spans != null) {
            builder.spanExporter(spans);
        }
        ServiceLoader.load(ServiceExtensionProvider.class).stream()
                .filter(p -> p.type() != MessagingExtensionProvider.class)
                .forEach(p -> builder.addExtension(p.get()));
        if (natsStarting != null) {
            builder.addExtension(new StartGate(natsStarting));
        }
        builder.addExtension(new MessagingExtensionProvider(broker));
        builder.addExtension(new StartGate(captureStarting));
        builder.addExtension(new FaultsExtension(faults));
        if (conformance != null) {
            // after the faults filter: what it answers in a service's place is not the service's answer
            builder.addExtension(conformance.capture());
        }
        definition.extensions().forEach(builder::addExtension);
        if (system.central != null) {
            builder.addConfigLayer(new NatsConfigLayerProvider());
        }
        for (SystemDefinition.Entry entry : definition.entries()) {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("server.port", "0");
            config.put("server.host", "127.0.0.1");
            config.put("shutdown.grace-period", "PT0S");
            config.put("shutdown.drain-timeout", "PT5S");
            if (system.natsUrl == null) {
                config.put("messaging.transport", "in-jvm");
            } else {
                config.put("messaging.transport", "nats");
                config.put("messaging.nats.servers", system.natsUrl);
                config.put("messaging.nats.reconnect.initial-wait", "PT0.05S");
                config.put("messaging.nats.reconnect.max-wait", "PT0.5S");
            }
            if (system.leastPrivilege != null) {
                config.putAll(system.leastPrivilege.serviceConfig(entry.service().name()));
            }
            if (system.central != null) {
                config.put("config.central.bucket", system.central.name());
                config.put("config.central.retry-interval", "PT0.2S");
            }
            config.putAll(definition.security().getOrDefault(entry.service().name(), Map.of()));
            config.putAll(definition.sharedConfig());
            config.putAll(entry.overrides());
            builder.addService(entry.service(), config);
        }
        return builder.build();
    }
}
