package dev.flotilla.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Parameter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.ServiceState;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.core.spi.ServiceExtensionProvider;
import dev.flotilla.messaging.DeliveryInterceptor;
import dev.flotilla.messaging.InJvmBroker;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingExtensionProvider;
import dev.flotilla.testkit.nats.NatsServer;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.config.CentralConfig;
import dev.flotilla.messaging.config.NatsConfigLayerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole system of services in one JVM, for integration tests: a JUnit 5 extension that starts NATS and every
 * declared service once per test class, wires discovery between them, captures every message and log line, injects
 * faults, and resets what it captured before each test.
 *
 * <pre>{@code
 * class OrderFlowTest {
 *     @RegisterExtension
 *     static final TestSystem system = TestSystem.builder()
 *             .service(new UserService())
 *             .service(new OrderService())
 *             .service(new InventoryService(), Map.of("inventory.reservation-timeout", "PT5S"))
 *             .build();
 *
 *     @Test
 *     void placesAnOrder(@ServiceName("order-service") OrderApi orders) {
 *         OrderView order = orders.place(new PlaceOrder(userId, List.of(new Line(productId, 2))));
 *         system.messages().await("orders.order-placed.v1", OrderPlaced.class, e -> e.orderId().equals(order.id()));
 *         eventually(() -> assertEquals("CONFIRMED", orders.get(order.id()).status()));
 *     }
 * }
 * }</pre>
 *
 * <p>Messaging runs on a real nats-server started for the system (see {@link NatsMode}), or the server in
 * {@code NATS_URL}, or the in-JVM transport when asked for with {@link Builder#nats(NatsMode)}. Without a nats-server
 * the system fails to start with the install command, unless {@link Builder#fallbackToInJvm()} allows the in-JVM
 * transport; the system property {@value #REQUIRE_NATS_PROPERTY}{@code =true} forbids that fallback (for CI).
 *
 * <p>Every service runs on an ephemeral port on loopback, with no shutdown grace period. The system can also be
 * used without JUnit: {@link #start()} and {@link #close()}.
 */
public final class TestSystem implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver, AutoCloseable {
    /** A system property that forbids the in-JVM fallback: {@value}. */
    public static final String REQUIRE_NATS_PROPERTY = "flotilla.testkit.require-nats";
    /** The environment variable naming an external NATS server to use: {@value}. */
    public static final String NATS_URL_ENV = "NATS_URL";
    /** How many recent log lines and messages a failing test prints. */
    static final int DUMP_LINES = 40;

    private static final Logger LOG = LoggerFactory.getLogger(TestSystem.class);
    /** A bucket key no service reads, written after a reset to learn when every service has seen it. */
    private static final String RESET_MARKER = "testkit.reset";
    /** The revision in the {@code config} health check's details. */
    private static final java.util.regex.Pattern REVISION = java.util.regex.Pattern.compile(
            "\"revision\"\\s*:\\s*\"?(\\d+)");
    /** The phase times of a start, with the runtime's own (DEBUG; the logger the runtime uses for them). */
    private static final Logger PROFILE = LoggerFactory.getLogger("dev.flotilla.core.profile");

    private record Entry(Service service, Map<String, String> overrides) {
    }

    private final List<Entry> entries;
    private final Map<String, String> sharedConfig;
    private final NatsMode natsMode;
    private final boolean fallbackToInJvm;
    private final List<ServiceExtensionProvider> extraExtensions;
    private final Supplier<Optional<Path>> natsBinary;
    /** Bucket keys the central configuration starts with; null when the system has none. */
    private final Map<String, String> centralSeed;
    private final IntSupplier natsPort;
    private final Map<String, Faults> faults = new ConcurrentHashMap<>();
    private final Messages messages = new Messages();
    private final LogCapture logs = new LogCapture();
    /** Null unless spans are captured. */
    private final SpanCapture spans;

    private volatile boolean running;
    private boolean startedForEachTest;
    private NatsServer natsServer;
    private String natsUrl;
    private ServiceRuntime runtime;
    private volatile MessageCapture capture;
    private ServiceClients clients;
    private CentralConfig central;
    private String centralBucket;
    private Duration startupTime = Duration.ZERO;

    private TestSystem(Builder builder) {
        this.entries = List.copyOf(builder.entries);
        this.sharedConfig = Map.copyOf(builder.sharedConfig);
        this.natsMode = builder.natsMode;
        this.fallbackToInJvm = builder.fallbackToInJvm;
        this.extraExtensions = List.copyOf(builder.extensions);
        this.natsBinary = builder.natsBinary;
        this.spans = builder.captureSpans ? new SpanCapture() : null;
        this.centralSeed = builder.centralSeed == null ? null : Map.copyOf(builder.centralSeed);
        this.natsPort = builder.natsPort;
        for (Entry entry : entries) {
            faults.computeIfAbsent(entry.service().name(), Faults::new);
        }
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- lifecycle

    /**
     * Starts NATS (or the in-JVM transport) and every service, in declaration order. Called by JUnit before the
     * tests; call it yourself outside JUnit. Does nothing when already running.
     *
     * @throws IllegalStateException                   if no nats-server can be found and the in-JVM fallback is
     *                                                 not allowed (the message names the install command)
     * @throws dev.flotilla.core.ServiceStartException if a service cannot start
     */
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            startOnce(true);
        } catch (NatsStartFailure e) {
            // The port picked up front was taken before nats-server bound it: start again the plain way.
            LOG.warn("nats-server did not start on the port chosen up front ({}); starting again, one step after "
                             + "another", e.getCause().getMessage());
            startOnce(false);
        }
    }

    /** Thrown by a start whose concurrently started nats-server failed; the system is stopped again. */
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
    private void startOnce(boolean concurrentNats) {
        long began = System.nanoTime();
        logs.attach();
        CompletableFuture<NatsServer> natsStarting = null;
        CompletableFuture<MessageCapture> captureStarting = null;
        try {
            // a central bucket is seeded before any service starts, so the nats-server cannot start in the background
            natsStarting = startTransport(concurrentNats && centralSeed == null);
            startCentralConfig();
            InJvmBroker broker = new InJvmBroker();
            if (natsStarting == null) {
                captureStarting = CompletableFuture.completedFuture(startCapture(broker));
            } else {
                CompletableFuture<NatsServer> nats = natsStarting.whenComplete((server, e) -> PROFILE.debug(
                        "test system: nats-server ready at {} ms", (System.nanoTime() - began) / 1_000_000));
                captureStarting = nats.thenApplyAsync(server -> startCapture(broker), TestSystem::virtualThread);
            }
            captureStarting.whenComplete((c, e) -> PROFILE.debug("test system: capture subscribed at {} ms",
                                                                 (System.nanoTime() - began) / 1_000_000));
            runtime = buildRuntime(broker, natsStarting, captureStarting);
            PROFILE.debug("test system: runtime built at {} ms", (System.nanoTime() - began) / 1_000_000);
            runtime.start();
            PROFILE.debug("test system: services ready at {} ms", (System.nanoTime() - began) / 1_000_000);
            capture = captureStarting.join();
            if (natsStarting != null) {
                natsServer = natsStarting.join();
            }
            clients = ServiceClients.builder().caller("test").discovery(this::readyInstances).build();
            running = true;
            startupTime = Duration.ofNanos(System.nanoTime() - began);
            LOG.info("Test system of {} service(s) ready on {} in {} ms", entries.size(), transport(),
                     startupTime.toMillis());
        } catch (RuntimeException e) {
            // what started in the background is stopped too, once it has finished starting
            if (captureStarting != null && capture == null) {
                capture = awaitQuietly(captureStarting);
            }
            if (natsStarting != null && natsServer == null) {
                natsServer = awaitQuietly(natsStarting);
            }
            stopQuietly();
            if (natsStarting != null && natsStarting.isCompletedExceptionally()) {
                throw new NatsStartFailure(e);
            }
            throw e;
        }
    }

    private MessageCapture startCapture(InJvmBroker broker) {
        return natsUrl == null ? MessageCapture.inJvm(broker, messages) : MessageCapture.nats(natsUrl, messages);
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
     * Chooses the transport; with a nats-server binary, starts it (in the background when {@code concurrent}).
     *
     * @return the nats-server starting in the background; {@code null} when it was not started that way
     */
    private CompletableFuture<NatsServer> startTransport(boolean concurrent) {
        if (natsMode == NatsMode.IN_JVM) {
            return null;
        }
        String external = System.getenv(NATS_URL_ENV);
        if (external != null && !external.isBlank()) {
            natsUrl = external;
            return null;
        }
        if (natsBinary.get().isPresent()) {
            if (!concurrent) {
                natsServer = NatsServer.start();
                natsUrl = natsServer.url();
                return null;
            }
            int port = natsPort.getAsInt();
            natsUrl = "nats://127.0.0.1:" + port;
            return CompletableFuture.supplyAsync(() -> NatsServer.start(port), TestSystem::virtualThread);
        }
        boolean required = Boolean.getBoolean(REQUIRE_NATS_PROPERTY);
        if (fallbackToInJvm && !required) {
            LOG.warn("No nats-server found (install it with 'apt-get install nats-server', or set {} or {}): "
                             + "this test system uses the in-JVM transport", NatsServer.BINARY_ENV, NATS_URL_ENV);
            return null;
        }
        throw new IllegalStateException("No nats-server found for the test system: install it with "
                + "'apt-get install nats-server', set " + NatsServer.BINARY_ENV + " to its path, or set " + NATS_URL_ENV
                + " to a running server" + (required ? " (" + REQUIRE_NATS_PROPERTY + " is set, so the in-JVM "
                + "transport is not allowed)" : "; or allow the in-JVM transport with TestSystem.builder()"
                + ".fallbackToInJvm()"));
    }

    /** A bucket of its own for the system, with the seed values, before any service starts. */
    private void startCentralConfig() {
        if (centralSeed == null) {
            return;
        }
        if (natsUrl == null) {
            throw new IllegalStateException("Central configuration needs NATS, but this test system uses the in-JVM "
                                                    + "transport: install nats-server or set " + NATS_URL_ENV);
        }
        centralBucket = "testkit-config-" + Long.toHexString(System.nanoTime());
        central = CentralConfig.connect(NatsSettings.builder().server(natsUrl)
                                                .reconnectInitialWait(Duration.ofMillis(50))
                                                .reconnectMaxWait(Duration.ofMillis(500)).build(), centralBucket);
        central.createBucket(CentralConfig.DEFAULT_HISTORY);
        centralSeed.forEach(central::put);
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port for nats-server", e);
        }
    }

    private ServiceRuntime buildRuntime(InJvmBroker broker, CompletableFuture<NatsServer> natsStarting,
                                        CompletableFuture<MessageCapture> captureStarting) {
        DeliveryInterceptor interceptor = (service, subject, envelope) -> {
            Faults serviceFaults = faults.get(service);
            if (serviceFaults != null && serviceFaults.takeHandlerFailure(subject)) {
                throw new IllegalStateException("Fault injected by the testkit into " + service + "'s handler of "
                                                        + subject);
            }
        };
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
        builder.addExtension(new MessagingExtensionProvider(broker, interceptor));
        builder.addExtension(new StartGate(captureStarting));
        builder.addExtension(new FaultInjection(faults));
        extraExtensions.forEach(builder::addExtension);
        if (central != null) {
            builder.addConfigLayer(new NatsConfigLayerProvider());
        }
        for (Entry entry : entries) {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("server.port", "0");
            config.put("server.host", "127.0.0.1");
            config.put("shutdown.grace-period", "PT0S");
            config.put("shutdown.drain-timeout", "PT5S");
            if (natsUrl == null) {
                config.put("messaging.transport", "in-jvm");
            } else {
                config.put("messaging.transport", "nats");
                config.put("messaging.nats.servers", natsUrl);
                config.put("messaging.nats.reconnect.initial-wait", "PT0.05S");
                config.put("messaging.nats.reconnect.max-wait", "PT0.5S");
            }
            if (central != null) {
                config.put("config.central.bucket", centralBucket);
                config.put("config.central.retry-interval", "PT0.2S");
            }
            config.putAll(sharedConfig);
            config.putAll(entry.overrides());
            builder.addService(entry.service(), config);
        }
        return builder.build();
    }

    private List<URI> readyInstances(String name) {
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
     * Stops every service, NATS and the capture. Called by JUnit after the tests.
     */
    @Override
    public synchronized void close() {
        stopQuietly();
    }

    private void stopQuietly() {
        running = false;
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
        natsUrl = null;
        logs.detach();
    }

    // ---- JUnit

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!running) {
            // Registered on an instance field: one system per test.
            start();
            startedForEachTest = true;
        }
        reset();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getExecutionException().ifPresent(failure -> System.out.println(report(context.getDisplayName())));
        if (startedForEachTest) {
            close();
            startedForEachTest = false;
        }
    }

    /**
     * Clears captured messages, log lines and faults, and starts again whatever a previous test stopped (NATS and
     * services). Called by JUnit before each test.
     */
    public synchronized void reset() {
        messages.clear();
        logs.clear();
        if (spans != null) {
            spans.clear();
        }
        faults.values().forEach(Faults::clear);
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
        resetCentralConfig();
    }

    /** Puts the seed values back if a test changed them, and waits until every service has seen that. */
    private void resetCentralConfig() {
        if (central == null) {
            return;
        }
        Map<String, String> now = central.list("");
        if (now.equals(centralSeed)) {
            return;
        }
        now.keySet().stream().filter(k -> !centralSeed.containsKey(k)).forEach(central::delete);
        centralSeed.forEach((key, value) -> {
            if (!value.equals(now.get(key))) {
                central.put(key, value);
            }
        });
        // A key no service reads: its revision is newer than every restored value.
        long marker = central.put(RESET_MARKER, Long.toString(System.nanoTime()));
        central.delete(RESET_MARKER);
        Eventually.eventually(Duration.ofSeconds(10), () -> {
            for (ServiceHandle handle : runtime.services()) {
                if (handle.state() == ServiceState.READY && centralRevision(handle) < marker) {
                    throw new AssertionError("Service '" + handle.name() + "' has not seen the central "
                                                     + "configuration reset (revision " + marker + ")");
                }
            }
        });
    }

    private static long centralRevision(ServiceHandle handle) {
        try {
            String health = java.net.http.HttpClient.newHttpClient()
                    .send(java.net.http.HttpRequest.newBuilder(handle.uri().resolve("/health")).build(),
                          java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
            java.util.regex.Matcher m = REVISION.matcher(health);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The system's central configuration bucket, to change values in the middle of a test:
     * {@code system.centralConfig().put("gateway.resilience.user-service.timeout.duration", "PT0.2S")}. Keys are
     * bucket keys ({@code shared.<key>} or {@code <service-name>.<key>}); services apply a change within a second
     * (wait for its effect with {@link Eventually}). Before each test, the values given to
     * {@link Builder#centralConfig(Map)} are put back.
     *
     * @return the bucket's client
     * @throws IllegalStateException if the system was built without {@link Builder#centralConfig(Map)} or is not
     *                               running
     */
    public CentralConfig centralConfig() {
        CentralConfig c = central;
        if (c == null) {
            throw new IllegalStateException("This test system has no central configuration: build it with "
                                                    + "TestSystem.builder().centralConfig(Map.of(...)) and start it");
        }
        return c;
    }

    /** What a failing test prints: each service's recent log lines and the captured messages. */
    String report(String test) {
        StringBuilder out = new StringBuilder("\n==== Flotilla test system after failed test '").append(test)
                .append("' (transport: ").append(transport()).append(") ====\n");
        for (String name : faults.keySet()) {
            List<LogLine> lines = logs.lines(name);
            out.append("---- ").append(name).append(": last ").append(Math.min(DUMP_LINES, lines.size()))
                    .append(" of ").append(lines.size()).append(" log lines\n");
            lines.subList(Math.max(0, lines.size() - DUMP_LINES), lines.size())
                    .forEach(line -> out.append("  ").append(line).append('\n'));
        }
        List<CapturedMessage> captured = messages.all();
        out.append("---- messages: last ").append(Math.min(DUMP_LINES, captured.size())).append(" of ")
                .append(captured.size()).append('\n');
        captured.subList(Math.max(0, captured.size() - DUMP_LINES), captured.size())
                .forEach(m -> out.append("  ").append(m).append('\n'));
        return out.toString();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Parameter parameter = parameterContext.getParameter();
        Class<?> type = parameter.getType();
        if (type == TestSystem.class || type == Messages.class) {
            return true;
        }
        return parameter.isAnnotationPresent(ServiceName.class)
                && (type == ServiceHandle.class || type == Faults.class || type.isInterface());
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Parameter parameter = parameterContext.getParameter();
        Class<?> type = parameter.getType();
        if (type == TestSystem.class) {
            return this;
        }
        if (type == Messages.class) {
            return messages;
        }
        String name = parameter.getAnnotation(ServiceName.class).value();
        try {
            if (type == ServiceHandle.class) {
                return service(name);
            }
            if (type == Faults.class) {
                return faults(name);
            }
            return client(type, name);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("Cannot inject " + type.getSimpleName() + " for service '" + name
                                                           + "': " + e.getMessage(), e);
        }
    }

    // ---- what tests use

    /**
     * The first instance of a service.
     *
     * @param name the service's name
     * @return its handle, to read its URI or stop and start it
     * @throws IllegalArgumentException if the system has no such service
     * @throws IllegalStateException    if the system is not running
     */
    public ServiceHandle service(String name) {
        return runningRuntime().service(name);
    }

    /**
     * Every instance of a service.
     *
     * @param name the service's name
     * @return the handles; empty when the system has no such service
     * @throws IllegalStateException if the system is not running
     */
    public List<ServiceHandle> instances(String name) {
        return runningRuntime().instances(name);
    }

    /**
     * A typed client of a service's contract, reaching its ready instances.
     *
     * @param contract    the contract interface
     * @param serviceName the service that serves it
     * @param <T>         the contract type
     * @return the client
     * @throws dev.flotilla.core.http.ContractException if the interface is not a valid contract
     * @throws IllegalStateException                    if the system is not running
     */
    public <T> T client(Class<T> contract, String serviceName) {
        if (clients == null) {
            throw new IllegalStateException("The test system is not running");
        }
        return clients.create(contract, serviceName);
    }

    /**
     * The messages captured since the test began.
     *
     * @return the capture
     */
    public Messages messages() {
        return messages;
    }

    /**
     * The faults of a service (shared by its instances).
     *
     * @param serviceName the service's name
     * @return its faults
     * @throws IllegalArgumentException if the system has no such service
     */
    public Faults faults(String serviceName) {
        Faults found = faults.get(serviceName);
        if (found == null) {
            throw new IllegalArgumentException("No service named '" + serviceName + "' in this test system; it has "
                                                       + faults.keySet());
        }
        return found;
    }

    /**
     * The log lines a service wrote since the test began (the most recent {@value LogCapture#LINES_PER_SERVICE}).
     *
     * @param serviceName the service's name
     * @return the lines, oldest first
     */
    public List<LogLine> logs(String serviceName) {
        return logs.lines(serviceName);
    }

    /**
     * The spans the services recorded since the test began, in the order they ended (the most recent
     * {@value SpanCapture#MAX_SPANS}): HTTP server and client spans, publish, process, request and respond spans,
     * each with its service in the resource attribute {@code service.name}.
     *
     * @return the spans
     * @throws IllegalStateException if the system was not built with {@link Builder#captureSpans()}
     */
    public List<SpanData> spans() {
        if (spans == null) {
            throw new IllegalStateException("Spans are not captured: build the TestSystem with captureSpans()");
        }
        return spans.spans();
    }

    /**
     * A messaging client of the test itself (service name {@code flotilla-testkit}), to publish events or send
     * requests into the system. On NATS it connects at the first call (the system's start does not wait for it) and
     * is closed with the system.
     *
     * @return the test's messaging
     * @throws IllegalStateException                     if the system is not running
     * @throws dev.flotilla.messaging.MessagingException if it cannot connect to the system's NATS server
     */
    public Messaging messaging() {
        MessageCapture current = capture;
        if (current == null) {
            throw new IllegalStateException("The test system is not running");
        }
        return current.testClient();
    }

    /**
     * Which transport messaging runs on.
     *
     * @return {@code nats} or {@code in-jvm}
     */
    public String transport() {
        return natsUrl == null ? "in-jvm" : "nats";
    }

    /**
     * The URL of the NATS server the system uses.
     *
     * @return the URL; empty on the in-JVM transport
     */
    public Optional<String> natsUrl() {
        return Optional.ofNullable(natsUrl);
    }

    /**
     * Stops the system's nats-server (services see a disconnect); the next test, or {@link #startNats()}, starts it
     * again on the same port with the same JetStream store.
     *
     * @throws UnsupportedOperationException if the system does not run its own nats-server
     */
    public void stopNats() {
        ownNatsServer().stop();
    }

    /**
     * Starts the system's nats-server again on the same port, after {@link #stopNats()}.
     *
     * @throws UnsupportedOperationException if the system does not run its own nats-server
     */
    public void startNats() {
        NatsServer server = ownNatsServer();
        if (!server.isRunning()) {
            server.restart();
        }
    }

    /**
     * How long the last {@link #start()} took.
     *
     * @return the duration
     */
    public Duration startupTime() {
        return startupTime;
    }

    private NatsServer ownNatsServer() {
        if (natsServer == null) {
            throw new UnsupportedOperationException("This test system does not run its own nats-server (transport "
                                                            + transport() + ")");
        }
        return natsServer;
    }

    private ServiceRuntime runningRuntime() {
        ServiceRuntime current = runtime;
        if (current == null) {
            throw new IllegalStateException("The test system is not running");
        }
        return current;
    }

    /**
     * Builds a {@link TestSystem}. Not thread-safe.
     */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private final Map<String, String> sharedConfig = new LinkedHashMap<>();
        private final List<ServiceExtensionProvider> extensions = new ArrayList<>();
        private NatsMode natsMode = NatsMode.SERVER;
        private boolean fallbackToInJvm;
        private Supplier<Optional<Path>> natsBinary = NatsServer::findBinary;
        private boolean captureSpans;
        private Map<String, String> centralSeed;
        private IntSupplier natsPort = TestSystem::freeLoopbackPort;

        private Builder() {
        }

        /** For tests of the testkit: how the nats-server's port is picked before the server starts. */
        Builder natsPort(IntSupplier picker) {
            this.natsPort = picker;
            return this;
        }

        /** For tests of the testkit: where the nats-server binary is looked for. */
        Builder natsBinary(Supplier<Optional<Path>> lookup) {
            this.natsBinary = lookup;
            return this;
        }

        /**
         * Adds a service. Add the same service class twice for two instances.
         *
         * @param service the service
         * @return this builder
         * @throws NullPointerException if {@code service} is {@code null}
         */
        public Builder service(Service service) {
            return service(service, Map.of());
        }

        /**
         * Adds a service with configuration overrides of its own.
         *
         * @param service   the service
         * @param overrides configuration keys and values for this service
         * @return this builder
         * @throws NullPointerException if an argument is {@code null}
         */
        public Builder service(Service service, Map<String, String> overrides) {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(overrides, "overrides");
            entries.add(new Entry(service, Map.copyOf(overrides)));
            return this;
        }

        /**
         * Gives the system central configuration: a NATS key-value bucket of its own, seeded with these bucket keys
         * ({@code shared.<key>} for every service, {@code <service-name>.<key>} for one) before the services start,
         * and put back before each test. Change values in a test with {@link TestSystem#centralConfig()}. Needs
         * NATS (not the in-JVM transport). Central values rank below the overrides given to the builder.
         *
         * @param bucketValues bucket keys and values; may be empty
         * @return this builder
         * @throws NullPointerException if {@code bucketValues} is {@code null}
         */
        public Builder centralConfig(Map<String, String> bucketValues) {
            this.centralSeed = new LinkedHashMap<>(Objects.requireNonNull(bucketValues, "bucketValues"));
            return this;
        }

        /**
         * Sets a configuration value for every service of the system.
         *
         * @param key   the key
         * @param value the value
         * @return this builder
         * @throws NullPointerException if an argument is {@code null}
         */
        public Builder config(String key, String value) {
            sharedConfig.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Where messaging runs; {@link NatsMode#SERVER} by default.
         *
         * @param mode the mode
         * @return this builder
         * @throws NullPointerException if {@code mode} is {@code null}
         */
        public Builder nats(NatsMode mode) {
            this.natsMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Allows the in-JVM transport when no nats-server can be found (unless the system property
         * {@value #REQUIRE_NATS_PROPERTY} is {@code true}).
         *
         * @return this builder
         */
        public Builder fallbackToInJvm() {
            this.fallbackToInJvm = true;
            return this;
        }

        /**
         * Adds a service extension provider for every service of the system.
         *
         * @param provider the provider
         * @return this builder
         * @throws NullPointerException if {@code provider} is {@code null}
         */
        public Builder extension(ServiceExtensionProvider provider) {
            extensions.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /**
         * Records the spans of every service (as if each had an exporter configured) and keeps them for
         * {@link TestSystem#spans()}, cleared before each test.
         *
         * @return this builder
         */
        public Builder captureSpans() {
            this.captureSpans = true;
            return this;
        }

        /**
         * Builds the system; nothing starts until JUnit (or {@link TestSystem#start()}) starts it.
         *
         * @return the system
         * @throws IllegalStateException if no service was added
         */
        public TestSystem build() {
            if (entries.isEmpty()) {
                throw new IllegalStateException("A TestSystem needs at least one service: call service(...)");
            }
            return new TestSystem(this);
        }
    }
}
