package dev.flotilla.testkit;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.security.Caller;
import dev.flotilla.core.security.internal.CallerBridge;
import java.lang.reflect.Parameter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.flotilla.core.Service;
import dev.flotilla.core.security.internal.TokenIssuer;
import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.config.CentralConfig;
import dev.flotilla.messaging.permissions.NatsPermissions;
import dev.flotilla.messaging.saga.Saga;
import dev.flotilla.messaging.saga.SagaInstance;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.testkit.nats.NatsServer;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A whole system of services in one JVM, for integration tests: a JUnit 5 extension that starts NATS and every
 * declared service once per test class, wires discovery between them, captures every message and log line, injects
 * faults, and resets what it captured before each test.
 *
 * <pre>{@code
 * class OrderFlowTest {
 *     @RegisterExtension
 *     static final TestSystem system = TestSystem.builder()
 *             .addService(new UserService())
 *             .addService(new OrderService())
 *             .addService(new InventoryService(), Map.of("inventory.reservation-timeout", "PT5S"))
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
 * <p>After each test, every answer the services gave to an operation of their contracts is checked against the
 * OpenAPI document the service publishes; a mismatch fails the test ({@link Builder#contractConformance(boolean)}).
 *
 * <p>Every service runs on an ephemeral port on loopback, with no shutdown grace period. The system can also be
 * used without JUnit: {@link #start()} and {@link #close()} (then answers are not checked).
 */
public final class TestSystem implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver, AutoCloseable {
    /** A system property that forbids the in-JVM fallback: {@value}. */
    public static final String REQUIRE_NATS_PROPERTY = "flotilla.testkit.require-nats";
    /** The environment variable naming an external NATS server to use: {@value}. */
    public static final String NATS_URL_ENV = "NATS_URL";

    private final SystemDefinition definition;
    /** Every service's faults, by service name, in declaration order; they outlive a stop and start. */
    private final Map<String, Faults> faults;
    private final Messages messages = new Messages();
    private final LogCapture logs = new LogCapture();
    /** Null unless spans are captured. */
    private final SpanCapture spans;
    /** Null when answers are not checked against the services' contracts. */
    private final ContractConformance conformance;
    private final Startup startup;

    /** What runs; null while the system is stopped. */
    private volatile RunningSystem running;
    private boolean startedForEachTest;
    private Duration startupTime = Duration.ZERO;

    /** The issuer of {@link #userToken} tokens; null unless the builder asked for user tokens. */
    private final TokenIssuer userTokens;

    /** The services' saga engines, and the test's clock they use. */
    private final SagaTracker sagaTracker;

    private TestSystem(Builder builder) {
        this.sagaTracker = new SagaTracker(builder.clock);
        List<ServiceExtensionProvider> extensions = new ArrayList<>(builder.extensions);
        extensions.add(sagaTracker);
        this.definition = new SystemDefinition(builder.entries, builder.sharedConfig, builder.natsMode,
                                               builder.fallbackToInJvm, extensions, builder.natsBinary,
                                               Optional.ofNullable(builder.centralSeed), builder.natsPort,
                                               TestIdentities.configFor(builder.entries, builder.identities, builder.userTokens),
                                               Optional.ofNullable(builder.leastPrivilege));
        this.userTokens = builder.userTokens;
        this.spans = builder.captureSpans ? new SpanCapture() : null;
        Map<String, Faults> byService = new LinkedHashMap<>();
        for (SystemDefinition.Entry entry : definition.entries()) {
            byService.computeIfAbsent(entry.service().name(), Faults::new);
        }
        this.faults = Collections.unmodifiableMap(byService);
        this.conformance = builder.contractConformance ? new ContractConformance(() -> running) : null;
        this.startup = new Startup(definition, faults, messages, spans, conformance);
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- security

    /**
     * A user token the system's services accept: a JWT for {@code subject} with the given roles, signed by the
     * system's test issuer and valid for ten minutes. Send it as {@code Authorization: Bearer <token>}; services
     * calling others with their typed clients forward it on the user's behalf.
     *
     * @param subject the user
     * @param roles   its roles
     * @return the compact JWT
     * @throws IllegalStateException if the system was not built with {@link Builder#userTokens()}
     * @throws NullPointerException  if an argument is {@code null}
     */
    public String userToken(String subject, String... roles) {
        return userToken(subject, List.of(roles), List.of());
    }

    /**
     * A user token the system's services accept, with roles and scopes, valid for ten minutes.
     *
     * @param subject the user
     * @param roles   its roles
     * @param scopes  the scopes it grants
     * @return the compact JWT
     * @throws IllegalStateException if the system was not built with {@link Builder#userTokens()}
     * @throws NullPointerException  if an argument is {@code null}
     */
    public String userToken(String subject, java.util.Collection<String> roles, java.util.Collection<String> scopes) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(roles, "roles");
        Objects.requireNonNull(scopes, "scopes");
        if (userTokens == null) {
            throw new IllegalStateException("This TestSystem issues no user tokens: build it with "
                                                    + "TestSystem.builder().userTokens()");
        }
        return userTokens.token(subject, roles, scopes, Duration.ofMinutes(10));
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
        if (running != null) {
            return;
        }
        logs.attach();
        if (conformance != null) {
            conformance.reset();
        }
        try {
            RunningSystem started = startup.start();
            startupTime = started.startupTime;
            running = started;
        } catch (RuntimeException e) {
            logs.detach();
            throw e;
        }
    }

    /**
     * Stops every service, NATS and the capture. Called by JUnit after the tests.
     */
    @Override
    public synchronized void close() {
        RunningSystem current = running;
        running = null;
        if (current != null) {
            current.close();
            logs.detach();
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
        RunningSystem current = running;
        if (current != null) {
            current.restoreForNextTest();
        }
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
        if (running == null) {
            // Registered on an instance field: one system per test.
            start();
            startedForEachTest = true;
        }
        reset();
    }

    /** Prints what was captured if the test failed; fails it if an answer broke its service's contract. */
    @Override
    public void afterEach(ExtensionContext context) {
        context.getExecutionException().ifPresent(failure -> System.out.println(report(context.getDisplayName())));
        try {
            verifyContracts();
        } finally {
            if (startedForEachTest) {
                close();
                startedForEachTest = false;
            }
        }
    }

    /** Checks the answers since the last check against the services' contracts; see {@link ContractConformance}. */
    void verifyContracts() {
        if (conformance != null) {
            conformance.verify();
        }
    }

    /** What a failing test prints: each service's recent log lines and the captured messages. */
    String report(String test) {
        return FailureReport.of(test, transport(), faults.keySet(), logs, messages);
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
        return runningSystem().runtime().service(name);
    }

    /**
     * Every instance of a service.
     *
     * @param name the service's name
     * @return the handles; empty when the system has no such service
     * @throws IllegalStateException if the system is not running
     */
    public List<ServiceHandle> instances(String name) {
        return runningSystem().runtime().instances(name);
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
        return runningSystem().clients().create(contract, serviceName);
    }

    /**
     * A typed client of one of the system's services that calls as a signed-in user: every call carries
     * {@code Authorization: Bearer userToken}, as the calls a service makes on a user's behalf do. Make the token with
     * {@link #userToken(String, String...)}.
     *
     * <pre>{@code
     * ShopApi asAda = SYSTEM.client(ShopApi.class, "gateway", SYSTEM.userToken(ada.id()));
     * }</pre>
     *
     * @param contract    the contract interface
     * @param serviceName the service that serves it
     * @param userToken   the user's bearer token (a JWT the service accepts)
     * @param <T>         the contract type
     * @return the client; its methods run each call as that user
     * @throws dev.flotilla.core.http.ContractException if the interface is not a valid contract
     * @throws IllegalStateException                    if the system is not running
     * @throws NullPointerException                     if an argument is {@code null}
     */
    public <T> T client(Class<T> contract, String serviceName, String userToken) {
        Objects.requireNonNull(userToken, "userToken");
        T client = client(contract, serviceName);
        // The subject shown here is local to the test thread; the callee verifies the token itself.
        Caller user = CallerBridge.withBearerToken(Caller.builder().user("test-user").build(), userToken);
        InvocationHandler asUser = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> contract.getSimpleName() + " client of " + serviceName + " as a user";
                };
            }
            CallContext call = CallContext.current().orElseGet(() -> CallContext.of("testkit", null)).withCaller(user);
            CallContext.Scope scope = call.open();
            try {
                return method.invoke(client, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                scope.close();
            }
        };
        return contract.cast(Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[]{contract}, asUser));
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
     * The testkit reads them through Logback, which it does not bring: the test project declares
     * {@code ch.qos.logback:logback-classic} (test scope) as its SLF4J backend. Left without a {@code logback-test.xml}
     * or {@code logback.xml}, Logback logs at INFO once a system starts (its own default is DEBUG); a project's own
     * configuration is never changed.
     *
     * @param serviceName the service's name
     * @return the lines, oldest first; empty when the service logged nothing (or the system has no such service)
     * @throws IllegalStateException if Logback is not SLF4J's backend (the message names the dependency to add)
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
        return runningSystem().capture().testClient();
    }

    /**
     * A messaging client of the test that signs what it sends as one of the system's services, or as a service named
     * with {@link Builder#identities(String...)}: what a subscription that accepts only that service's messages
     * needs (the stand-in for a service the test leaves out, say). Connected at the first call for each name and
     * closed with the system.
     *
     * <pre>{@code
     * SYSTEM.messagingAs("inventory-service").publish(StockReserved.SUBJECT, new StockReserved(orderId));
     * }</pre>
     *
     * @param service the service to publish as
     * @return its messaging
     * @throws IllegalArgumentException                  if the system has no identity of that name
     * @throws IllegalStateException                     if the system is not running
     * @throws dev.flotilla.messaging.MessagingException if it cannot connect to the system's NATS server
     */
    public Messaging messagingAs(String service) {
        Map<String, String> security = definition.security().get(Objects.requireNonNull(service, "service"));
        if (security == null) {
            throw new IllegalArgumentException("The system has no identity '" + service + "': name it with "
                                                       + "TestSystem.builder().identities(\"" + service + "\")");
        }
        io.helidon.config.Config identity = io.helidon.config.Config.just(
                io.helidon.config.ConfigSources.create(security));
        return runningSystem().capture().clientAs(service, identity);
    }

    /**
     * Which transport messaging runs on.
     *
     * @return {@code nats} or {@code in-jvm}
     */
    public String transport() {
        RunningSystem current = running;
        return current == null ? "in-jvm" : current.transport();
    }

    /**
     * The URL of the NATS server the system uses.
     *
     * @return the URL; empty on the in-JVM transport
     */
    public Optional<String> natsUrl() {
        RunningSystem current = running;
        return current == null ? Optional.empty() : Optional.ofNullable(current.natsUrl);
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
        RunningSystem current = running;
        Optional<CentralBucket> central = current == null ? Optional.empty() : current.central();
        return central.map(CentralBucket::client).orElseThrow(() -> new IllegalStateException(
                "This test system has no central configuration: build it with "
                        + "TestSystem.builder().centralConfig(Map.of(...)) and start it"));
    }

    /**
     * The NATS permissions in force, under {@link Builder#leastPrivilegeNats(Consumer)}: each service's allow lists,
     * and its credentials, so a test can connect as a service, or as a stranger it granted nothing.
     *
     * @return the permissions; empty when the system does not run least-privilege NATS or is not running
     */
    public Optional<NatsPermissions> natsPermissions() {
        RunningSystem current = running;
        return current == null || current.leastPrivilege == null ? Optional.empty()
                : current.leastPrivilege.enforced();
    }

    private NatsServer ownNatsServer() {
        RunningSystem current = running;
        Optional<NatsServer> server = current == null ? Optional.empty() : current.natsServer();
        return server.orElseThrow(() -> new UnsupportedOperationException(
                "This test system does not run its own nats-server (transport " + transport() + ")"));
    }

    // ---- sagas

    /**
     * Waits until a saga instance of a service reaches a state, reading it through the service's saga engine
     * ({@code Sagas.of(context)}; any instance of the service, they share the state).
     *
     * @param service  the service's name
     * @param sagaName the saga's name
     * @param id       the instance's id
     * @param state    the state to wait for
     * @param timeout  how long to wait at most
     * @return the instance in that state
     * @throws AssertionError        if it is not in that state within the timeout (the message holds the state it
     *                               is in, its failure and its history)
     * @throws IllegalStateException if the system is not running
     * @throws NullPointerException  if an argument is {@code null}
     */
    public SagaInstance<?> awaitSaga(String service, String sagaName, String id, SagaState state, Duration timeout) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<? extends SagaInstance<?>> last = Optional.empty();
        while (true) {
            try {
                last = saga(service, sagaName).flatMap(saga -> saga.find(id));
            } catch (RuntimeException e) {
                // the engine was closed (a restart) or NATS is away: ask again
            }
            if (last.isPresent() && last.get().state() == state) {
                return last.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Saga " + sagaName + "." + id + " of service '" + service + "' not "
                        + state + " within " + timeout + ": " + last.map(i -> i + ", history " + i.history())
                        .orElse("not found"));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * The instances of a service's saga, within the retention.
     *
     * @param service  the service's name
     * @param sagaName the saga's name
     * @return the instances, in no particular order; empty if the service has no engine with that saga
     * @throws IllegalStateException                     if the system is not running
     * @throws dev.flotilla.messaging.MessagingException if the state cannot be read
     * @throws NullPointerException                      if an argument is {@code null}
     */
    public List<? extends SagaInstance<?>> sagas(String service, String sagaName) {
        return saga(service, sagaName).<List<? extends SagaInstance<?>>>map(Saga::list).orElse(List.of());
    }

    private Optional<Saga<?>> saga(String service, String sagaName) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(sagaName, "sagaName");
        runningSystem();
        List<dev.flotilla.messaging.saga.Sagas> engines = sagaTracker.engines(service);
        for (int i = engines.size() - 1; i >= 0; i--) {
            Optional<Saga<?>> saga = engines.get(i).saga(sagaName);
            if (saga.isPresent()) {
                return saga;
            }
        }
        return Optional.empty();
    }

    /**
     * Kills every instance of a service, as close to a crash as one JVM allows: its NATS connection is cut first
     * (nothing it does afterwards reaches NATS: no saga state, no ack, no publish), then it stops with no grace
     * period, no drain and no shutdown hook, its web server stops at once, and its saga engines interrupt the steps
     * they run (on the in-JVM transport, which has no connection to cut, after letting them finish for up to 2 s).
     * Start it again with {@link #restart(String)}.
     *
     * @param service the service's name
     * @throws IllegalArgumentException if the system has no such service
     * @throws IllegalStateException    if the system is not running
     */
    public void kill(String service) {
        List<ServiceHandle> handles = instances(service);
        if (handles.isEmpty()) {
            throw new IllegalArgumentException("The system has no service '" + service + "'");
        }
        for (ServiceHandle handle : handles) {
            if (handle.state() == dev.flotilla.core.ServiceState.READY) {
                handle.context().findExtension(dev.flotilla.messaging.internal.TransportAccess.class)
                        .flatMap(dev.flotilla.messaging.internal.TransportAccess::natsConnection)
                        .ifPresent(TestSystem::cut);
            }
            handle.kill();
        }
    }

    private static void cut(io.nats.client.Connection connection) {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts again every instance of a service that is not running (after {@link #kill(String)} or a stop); it
     * takes over its sagas as any instance would.
     *
     * @param service the service's name
     * @throws IllegalArgumentException                if the system has no such service
     * @throws IllegalStateException                   if the system is not running
     * @throws dev.flotilla.core.ServiceStartException if it cannot start
     */
    public void restart(String service) {
        List<ServiceHandle> handles = instances(service);
        if (handles.isEmpty()) {
            throw new IllegalArgumentException("The system has no service '" + service + "'");
        }
        handles.forEach(ServiceHandle::start);
    }

    private RunningSystem runningSystem() {
        RunningSystem current = running;
        if (current == null) {
            throw new IllegalStateException("The test system is not running");
        }
        return current;
    }

    /**
     * Builds a {@link TestSystem}. Not thread-safe.
     */
    public static final class Builder {
        private final List<SystemDefinition.Entry> entries = new ArrayList<>();
        private final Map<String, String> sharedConfig = new LinkedHashMap<>();
        private final List<ServiceExtensionProvider> extensions = new ArrayList<>();
        private TokenIssuer userTokens;
        private final List<String> identities = new ArrayList<>();
        private NatsMode natsMode = NatsMode.SERVER;
        private boolean fallbackToInJvm;
        private Supplier<Optional<Path>> natsBinary = NatsServer::findBinary;
        private boolean captureSpans;
        private Map<String, String> centralSeed;
        private IntSupplier natsPort = Startup::freeLoopbackPort;
        private boolean contractConformance = true;
        private Consumer<NatsPermissions.Builder> leastPrivilege;
        private TestClock clock;

        private Builder() {
        }

        /**
         * Makes every service's saga engine ({@code Sagas.of(context)}) measure deadlines, leases and retries on the
         * test's clock: {@link TestClock#advance(java.time.Duration)} then fires a ten-minute timeout at once. The
         * rest of the services (HTTP, messaging, tokens) keep the system clock.
         *
         * @param clock the clock
         * @return this builder
         * @throws NullPointerException if {@code clock} is {@code null}
         */
        public Builder clock(TestClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
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
        public Builder addService(Service service) {
            return addService(service, Map.of());
        }

        /**
         * Adds a service with configuration overrides of its own.
         *
         * @param service   the service
         * @param overrides configuration keys and values for this service
         * @return this builder
         * @throws NullPointerException if an argument is {@code null}
         */
        public Builder addService(Service service, Map<String, String> overrides) {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(overrides, "overrides");
            entries.add(new SystemDefinition.Entry(service, Map.copyOf(overrides)));
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
         * Names services that are not part of the system but whose identity tests use: each gets a key, trusted by
         * the system's services like their own, so that a test can publish as one of them with
         * {@link TestSystem#messagingAs(String)} (a stand-in for a service the test leaves out).
         *
         * @param services the services' names
         * @return this builder
         * @throws NullPointerException if a name is {@code null}
         */
        public Builder identities(String... services) {
            for (String service : services) {
                identities.add(Objects.requireNonNull(service, "service"));
            }
            return this;
        }

        /**
         * Makes the system an identity provider its services trust: every service verifies JWT bearer tokens of a
         * test issuer ({@code security.jwt.*} set to its keys, issuer {@value TestIdentities#ISSUER} and audience
         * {@value TestIdentities#AUDIENCE}), so its security is on, and tests get tokens with
         * {@link TestSystem#userToken(String, String...)}. Without it, services authenticate no users unless their
         * own configuration says so. (Service identity is always set up: each service gets a key of its own and
         * trusts the keys of the system's services, so {@code @Access(services = ...)} works as in production.)
         *
         * @return this builder
         */
        public Builder userTokens() {
            this.userTokens = TokenIssuer.generate(TestIdentities.ISSUER, TestIdentities.AUDIENCE,
                                                   java.time.Clock.systemUTC());
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
         * Whether each answer to an operation is checked, after each test, against the contract its service publishes
         * at {@code GET /openapi} (declared status, content type, body and accepted request body schemas); on by
         * default. A mismatch fails the test, naming the service, the operation, the status and the JSON path.
         *
         * @param check {@code false} to turn the check off
         * @return this builder
         */
        public Builder contractConformance(boolean check) {
            this.contractConformance = check;
            return this;
        }

        /**
         * Runs the system under least-privilege NATS permissions, as {@link #leastPrivilegeNats(Consumer)} does,
         * with no grants beyond what the services are seen doing at start.
         *
         * @return this builder
         */
        public Builder leastPrivilegeNats() {
            return leastPrivilegeNats(grants -> { });
        }

        /**
         * Runs the system under least-privilege NATS permissions generated by
         * {@link NatsPermissions}, as a production system would be: each service connects with an NKey user and an
         * inbox of its own. The services start unrestricted; once all are ready, what each does on NATS is collected
         * as {@link NatsPermissions} collects it (its subscriptions and responders with their queue groups, durable
         * consumers, streams, declared events, the publishes, requests and look-ups made so far, its dead letters and
         * central configuration bucket), and the nats-server reloads its configuration with exactly those grants, plus
         * {@code $SRV.INFO} look-ups of every service of the system, plus {@code grants}. A service that later does
         * something it was not seen doing at start (a request, an undeclared event) is refused by the server, as it
         * would be in production: declare events with {@code EventCatalog.publishes} at start, or grant it here.
         * The testkit's own connections (capture, {@link TestSystem#messaging()}, central bucket) are unrestricted.
         * Needs the system's own nats-server (not {@code NATS_URL}, not the in-JVM transport); starting takes about
         * a second longer. See {@link TestSystem#natsPermissions()}.
         *
         * @param grants adds grants, such as {@code g -> g.allowPublish("order-service", "inventory.reserve")}; a
         *               user it names that is not a service of the system is added with no grants (a stranger with
         *               credentials of its own, for tests of what is refused)
         * @return this builder
         * @throws NullPointerException if {@code grants} is {@code null}
         */
        public Builder leastPrivilegeNats(Consumer<NatsPermissions.Builder> grants) {
            this.leastPrivilege = Objects.requireNonNull(grants, "grants");
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
                throw new IllegalStateException("A TestSystem needs at least one service: call addService(...)");
            }
            if (leastPrivilege != null && natsMode == NatsMode.IN_JVM) {
                throw new IllegalStateException("leastPrivilegeNats() needs a nats-server, not NatsMode.IN_JVM");
            }
            return new TestSystem(this);
        }
    }
}
