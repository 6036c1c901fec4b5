package dev.flotilla.core;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.discovery.ServiceDiscovery;
import dev.flotilla.core.discovery.StaticDiscovery;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.core.config.ConfigLayer;
import dev.flotilla.core.config.ConfigLayerProvider;
import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.resilience.Resilience;
import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.http.media.MediaContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.observe.metrics.MetricsObserverConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import dev.flotilla.core.config.internal.LiveConfig;
import dev.flotilla.core.config.internal.ServiceConfigLoader;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.security.internal.HttpAuthenticator;
import dev.flotilla.core.security.internal.ServiceTokenCache;
import dev.flotilla.core.security.internal.ServiceTokens;
import dev.flotilla.core.server.ServerPipeline;

/**
 * One hosted service and its lifecycle. Start and stop are serialized by a lock; state reads are lock-free.
 */
final class ServiceInstance implements ServiceHandle {
    /** Default of {@code server.port}. */
    static final int DEFAULT_PORT = 8080;
    /** Default of {@code server.max-payload-size}: 1 MiB. */
    static final long DEFAULT_MAX_PAYLOAD_SIZE = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRuntime.class);
    private static final Logger PROFILE = LoggerFactory.getLogger(ServiceRuntime.PROFILE);

    private final Service service;
    private final Map<String, String> overrides;
    private final List<ServiceExtensionProvider> providers;
    private final List<ConfigLayerProvider> configLayers;
    /** The runtime's one loader: the environment and application.yaml are read once for all its services. */
    private final ServiceConfigLoader configLoader;
    private final ObjectMapper json;
    /** JSON bodies with {@link #json}: one for every server of the runtime (immutable, and slow to make). */
    private final MediaContext media;
    private final ServiceDiscovery localDiscovery;
    private final List<io.opentelemetry.sdk.trace.export.SpanExporter> spanExporters;
    private final ServerPipeline pipeline = new ServerPipeline();
    /**
     * Helidon's meter registry. Helidon's Micrometer provider keeps every registry on Micrometer's global one, so a
     * registry per service would not isolate anything (and warns about meters it did not create): services in one
     * JVM share this one, and every Flotilla meter is tagged with the service's name.
     */
    private final MeterRegistry metrics;
    /** The /metrics endpoint's settings, one for every server of the runtime (making them looks up providers). */
    private final MetricsObserverConfig metricsObserver;
    private final ReentrantLock lifecycle = new ReentrantLock();

    private volatile ServiceState state = ServiceState.NEW;
    /** Set while {@link #kill()} stops the run: the shutdown hook is skipped. Guarded by the lifecycle lock. */
    private boolean killed;
    private volatile RunContext current;

    ServiceInstance(Service service,
                    Map<String, String> overrides,
                    List<ServiceExtensionProvider> providers,
                    List<ConfigLayerProvider> configLayers,
                    ServiceConfigLoader configLoader,
                    ObjectMapper json,
                    MediaContext media,
                    ServiceDiscovery localDiscovery,
                    List<io.opentelemetry.sdk.trace.export.SpanExporter> spanExporters,
                    MeterRegistry metrics,
                    MetricsObserverConfig metricsObserver) {
        this.metrics = metrics;
        this.metricsObserver = metricsObserver;
        this.service = service;
        this.spanExporters = spanExporters;
        this.overrides = Map.copyOf(overrides);
        this.providers = List.copyOf(providers);
        this.configLayers = List.copyOf(configLayers);
        this.configLoader = configLoader;
        this.json = json;
        this.media = media;
        this.localDiscovery = localDiscovery;
    }

    @Override
    public Service service() {
        return service;
    }

    @Override
    public ServiceState state() {
        return state;
    }

    @Override
    public ServiceContext context() {
        RunContext run = current;
        if (run == null) {
            throw new IllegalStateException("Service '" + service.name() + "' has never been started");
        }
        return run;
    }

    @Override
    public int port() {
        return runningServer().port();
    }

    @Override
    public URI uri() {
        RunContext run = current;
        if (run == null || run.uri == null) {
            throw new IllegalStateException("Service '" + service.name() + "' is not running (state " + state + ")");
        }
        return run.uri;
    }

    Optional<URI> uriIfRunning() {
        RunContext run = current;
        return run == null ? Optional.empty() : Optional.ofNullable(run.uri);
    }

    private WebServer runningServer() {
        RunContext run = current;
        if (run == null || run.server == null) {
            throw new IllegalStateException("Service '" + service.name() + "' is not running (state " + state + ")");
        }
        return run.server;
    }

    @Override
    public void start() {
        if (prepare()) {
            complete();
        }
    }

    /**
     * The first half of a start: configuration, web server and extensions (state {@code STARTING}). Several
     * services may prepare at the same time.
     *
     * @return {@code false} when the service was already starting or running
     * @throws ServiceStartException if it fails; everything started is stopped again ({@code FAILED})
     */
    boolean prepare() {
        lifecycle.lock();
        MDC.put(CallContext.MDC_SERVICE, service.name());
        try {
            if (state == ServiceState.STARTING || state == ServiceState.READY) {
                return false;
            }
            long began = System.nanoTime();
            state = ServiceState.STARTING;
            RunContext run;
            try {
                LiveConfig config = loadConfig();
                run = new RunContext(config, ShutdownSettings.from(config.current().get("shutdown")), began);
                run.phases.end("configuration");
            } catch (ServiceStartException e) {
                state = ServiceState.FAILED;
                throw e;
            } catch (RuntimeException e) {
                state = ServiceState.FAILED;
                throw new ServiceStartException("Service '" + service.name() + "' has invalid configuration: "
                                                        + e.getMessage(), e);
            }
            current = run;
            try {
                startInfrastructure(run);
            } catch (Exception e) {
                throw failed(run, e);
            }
            return true;
        } finally {
            MDC.remove(CallContext.MDC_SERVICE);
            lifecycle.unlock();
        }
    }

    /**
     * The second half of a start, after {@link #prepare()}: the service's own start-up hook, then {@code READY}.
     *
     * @throws ServiceStartException if the hook fails; everything started is stopped again ({@code FAILED})
     */
    void complete() {
        lifecycle.lock();
        MDC.put(CallContext.MDC_SERVICE, service.name());
        try {
            RunContext run = current;
            if (state != ServiceState.STARTING || run == null) {
                return;
            }
            try {
                run.phases.restart();
                service.start(run);
                run.phases.end("start hook");
            } catch (Exception e) {
                throw failed(run, e);
            }
            state = ServiceState.READY;
            LOG.info("Service '{}' {} ready at {} in {} ms", service.name(), service.version(), run.uri,
                     (System.nanoTime() - run.began) / 1_000_000);
            // Logged once the start is over, so a log.level.dev.flotilla.core.profile=DEBUG setting applies to it.
            PROFILE.debug("Service '{}' start phases: {}", service.name(), run.phases);
        } finally {
            MDC.remove(CallContext.MDC_SERVICE);
            lifecycle.unlock();
        }
    }

    private ServiceStartException failed(RunContext run, Exception e) {
        LOG.error("Service '{}' failed to start: {}", service.name(), e.toString());
        stopRun(run, Duration.ZERO);
        state = ServiceState.FAILED;
        if (e instanceof ServiceStartException sse) {
            return sse;
        }
        return new ServiceStartException("Service '" + service.name() + "' failed to start: " + e.getMessage(), e);
    }

    /** The local sources, then the first central layer a provider gives for this service, if any. */
    private LiveConfig loadConfig() {
        ConfigLayer layer = null;
        Config local = null;
        if (!configLayers.isEmpty()) {
            local = configLoader.load(service.name(), overrides);
            for (ConfigLayerProvider provider : configLayers) {
                try {
                    layer = provider.create(service.name(), local).orElse(null);
                } catch (RuntimeException e) {
                    throw new ServiceStartException("Service '" + service.name() + "' cannot load its central "
                                                            + "configuration: " + e.getMessage(), e);
                }
                if (layer != null) {
                    break;
                }
            }
        }
        try {
            Set<String> readAtStart = new HashSet<>();
            providers.forEach(p -> readAtStart.addAll(p.sectionsReadAtStart()));
            configLayers.forEach(p -> readAtStart.addAll(p.sectionsReadAtStart()));
            return new LiveConfig(service.name(), overrides, configLoader, layer, local, readAtStart, metrics);
        } catch (RuntimeException e) {
            if (layer != null) {
                layer.close();
            }
            throw e;
        }
    }

    private void startInfrastructure(RunContext run) throws Exception {
        // Before anything connects: a service that could only advertise loopback to other hosts does not start.
        String advertisedHost = AdvertisedHost.resolve(service.name(), run.config());
        run.tracing = run.closeOnStop(Tracing.create(service.name(), run.config().get("tracing"), spanExporters));
        run.closeOnStop(run.liveConfig);
        run.resilience = Resilience.builder()
                .config(run.config().get("resilience"))
                .listener(new ResilienceMetrics(service.name(), metrics))
                .build();
        run.closeOnStop(ResilienceMetrics.stateGauges(service.name(), metrics, run.resilience));
        ServiceTokens identity = ServiceTokens.from(run.config(), service.name(), java.time.Clock.systemUTC());
        HttpAuthenticator authenticator = HttpAuthenticator.from(run.config(), service.name(), identity);
        ServiceClients.Builder clients = ServiceClients.builder();
        if (identity.canSign()) {
            clients.serviceTokens(new ServiceTokenCache(identity, java.time.Clock.systemUTC()));
        }
        run.clients = run.closeOnStop(clients
                                              .caller(service.name())
                                              .tracing(run.tracing)
                                              .metrics(metrics)
                                              .discovery(discovery(run))
                                              .resilience(run.resilience)
                                              .config(run.config().get("clients"))
                                              .objectMapper(json)
                                              .build());
        run.phases.end("tracing, resilience, identity, clients");
        for (ServiceExtensionProvider provider : providers) {
            provider.create(run).ifPresent(run.extensions::add);
        }
        run.phases.end("extensions created");
        ServerPipeline.Run pipeline = this.pipeline.start(service.name(), service.version(), metrics, json, media,
                                                          run.tracing, run.logger, authenticator);
        HttpRouting.Builder routing = pipeline.routing();
        for (ServiceExtension extension : run.extensions) {
            extension.routing(routing);
        }
        service.routes(pipeline.recording(routing), run);
        pipeline.publishOpenApi(routing);
        run.phases.end("routes");

        io.helidon.webserver.observe.health.HealthObserverConfig.Builder health = HealthObserver.builder()
                .details(true)
                .useSystemServices(false)
                .addCheck(lifecycleCheck(HealthCheckType.READINESS, ServiceState.READY))
                .addCheck(lifecycleCheck(HealthCheckType.LIVENESS, null))
                .addCheck(circuitBreakerCheck(run.resilience))
                .addCheck(new DetailsCheck("config", run.liveConfig::details));
        service.healthChecks(run).forEach(health::addCheck);
        run.extensions.forEach(e -> e.healthChecks().forEach(health::addCheck));
        WebServerConfig serverConfig = WebServer.builder()
                .port(DEFAULT_PORT)
                .maxPayloadSize(DEFAULT_MAX_PAYLOAD_SIZE)
                .config(run.config().get("server"))
                .featuresDiscoverServices(false)
                // Flotilla drains and stops the server itself; Helidon's own hook would cut requests in flight.
                .shutdownHook(false)
                .addFeature(ObserveFeature.builder()
                                    .endpoint("/")
                                    .observersDiscoverServices(false)
                                    .addObserver(health.build())
                                    .addObserver(MetricsObserver.create(metricsObserver))
                                    .build())
                .directHandlers(pipeline.directHandlers())
                .mediaContext(media)
                .routing(routing)
                .buildPrototype();
        // Helidon's metrics feature fills a JVM-wide map that is not thread-safe while a server's features are set up
        // (KeyPerformanceIndicatorMetricsImpls, in WebServer.create): that step is taken one server at a time, even
        // when services start together; their configuration is read, and they listen, concurrently.
        WebServer server;
        synchronized (MetricsObserver.class) {
            server = WebServer.create(serverConfig);
        }
        run.phases.end("health checks, web server built");
        run.server = server.start();
        run.phases.end("web server listening");
        if (!run.server.isRunning() || run.server.port() <= 0) {
            // Helidon logs a failed bind and returns a stopped server instead of throwing.
            throw new ServiceStartException("Service '" + service.name() + "' could not listen on "
                    + run.config().get("server.host").asString().orElse("0.0.0.0") + ":"
                    + run.config().get("server.port").asString().orElse(String.valueOf(DEFAULT_PORT))
                    + " (is the port in use? set server.port, or 0 for an ephemeral one)", null);
        }
        run.uri = advertisedUri(advertisedHost, run.server.port(), run.server.hasTls());
        for (ServiceExtension extension : run.extensions) {
            extension.start();
            run.started.add(extension);
        }
        run.phases.end("extensions started");
        run.liveConfig.start(run.resilience);
    }

    /** Static config first, then the services of this runtime, then extensions such as NATS discovery. */
    private ServiceDiscovery discovery(RunContext run) {
        StaticDiscovery configured = StaticDiscovery.create(run.config().get("clients"));
        return new ServiceDiscovery() {
            @Override
            public List<URI> instances(String name) {
                List<URI> found = configured.instances(name);
                if (found.isEmpty()) {
                    found = localDiscovery.instances(name);
                }
                if (found.isEmpty()) {
                    for (ServiceExtension extension : run.extensions) {
                        if (extension instanceof ServiceDiscovery extensionDiscovery) {
                            found = extensionDiscovery.instances(name);
                            if (!found.isEmpty()) {
                                break;
                            }
                        }
                    }
                }
                return found;
            }

            @Override
            public void unreachable(String name, URI instance) {
                // Only the extensions cache their answers; each one that may have listed the instance is told.
                for (ServiceExtension extension : run.extensions) {
                    if (extension instanceof ServiceDiscovery extensionDiscovery) {
                        extensionDiscovery.unreachable(name, instance);
                    }
                }
            }
        };
    }

    /** Open breakers are reported in the details; a failing downstream does not make this service unready. */
    private static HealthCheck circuitBreakerCheck(Resilience resilience) {
        return new DetailsCheck("circuit-breakers", () -> {
            Map<String, String> states = new java.util.LinkedHashMap<>();
            resilience.circuitBreakerStates().forEach((name, state) -> states.put(name, state.name()));
            return states;
        });
    }

    private static URI advertisedUri(String host, int port, boolean tls) {
        return URI.create((tls ? "https://" : "http://") + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port);
    }

    private HealthCheck lifecycleCheck(HealthCheckType type, ServiceState requiredState) {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return type;
            }

            @Override
            public String name() {
                return "service";
            }

            @Override
            public HealthCheckResponse call() {
                ServiceState now = state;
                boolean up = requiredState == null ? now != ServiceState.FAILED : now == requiredState;
                return HealthCheckResponse.builder()
                        .status(up)
                        .detail("name", service.name())
                        .detail("version", service.version())
                        .detail("state", now.name())
                        .build();
            }
        };
    }

    @Override
    public void stop() {
        lifecycle.lock();
        MDC.put(CallContext.MDC_SERVICE, service.name());
        try {
            RunContext run = current;
            if (run == null || (state != ServiceState.READY && state != ServiceState.STARTING)) {
                return;
            }
            long began = System.nanoTime();
            state = ServiceState.DRAINING;
            LOG.info("Service '{}' stopping: not ready, grace period {}, drain timeout {}",
                     service.name(), run.shutdown.gracePeriod(), run.shutdown.drainTimeout());
            // The grace period lets load balancers see readiness go down before requests are refused.
            sleep(run.shutdown.gracePeriod());
            stopRun(run, run.shutdown.drainTimeout());
            state = ServiceState.STOPPED;
            LOG.info("Service '{}' stopped in {} ms", service.name(), (System.nanoTime() - began) / 1_000_000);
        } finally {
            MDC.remove(CallContext.MDC_SERVICE);
            lifecycle.unlock();
        }
    }

    @Override
    public void kill() {
        lifecycle.lock();
        try {
            RunContext run = current;
            if (run == null || (state != ServiceState.READY && state != ServiceState.STARTING)) {
                return;
            }
            state = ServiceState.DRAINING;
            LOG.warn("Service '{}' killed: no grace period, no drain, no shutdown hook", service.name());
            killed = true;
            stopRun(run, Duration.ZERO);
            state = ServiceState.STOPPED;
        } finally {
            killed = false;
            lifecycle.unlock();
        }
    }

    /** Drains and releases everything a run holds, in reverse order of start. Never throws. */
    private void stopRun(RunContext run, Duration drainTimeout) {
        try {
            int left = pipeline.drain(drainTimeout);
            if (left > 0) {
                LOG.warn("Service '{}': {} request(s) still in flight after the drain timeout of {}",
                         service.name(), left, drainTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (run.server != null) {
            quietly("stop the web server", () -> run.server.stop());
        }
        List<ServiceExtension> started = new ArrayList<>(run.started);
        for (ServiceExtension extension : started) {
            quietly("drain " + extension.getClass().getSimpleName(), () -> extension.drain(drainTimeout));
        }
        if (!killed) {
            quietly("run its shutdown hook", () -> service.stop(run));
        }
        AutoCloseable resource;
        while ((resource = run.pollCloseable()) != null) {
            AutoCloseable toClose = resource;
            quietly("close " + toClose, toClose::close);
        }
        for (int i = run.extensions.size() - 1; i >= 0; i--) {
            ServiceExtension extension = run.extensions.get(i);
            quietly("stop " + extension.getClass().getSimpleName(), extension::stop);
        }
        run.uri = null;
        run.server = null;
    }

    private void quietly(String what, ThrowingRunnable action) {
        try {
            action.run();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Service '{}' could not {} while stopping", service.name(), what, e);
        }
    }

    private static void sleep(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The context of one run of the service. */
    private final class RunContext implements ServiceContext {
        private final long began;
        private final StartPhases phases;
        private final LiveConfig liveConfig;
        private final ShutdownSettings shutdown;
        private final Logger logger;
        private final List<ServiceExtension> extensions = new ArrayList<>();
        private final List<ServiceExtension> started = new ArrayList<>();
        private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
        private volatile WebServer server;
        private volatile URI uri;
        private volatile Resilience resilience;
        private volatile ServiceClients clients;
        private volatile Tracing tracing;

        private RunContext(LiveConfig liveConfig, ShutdownSettings shutdown, long began) {
            this.began = began;
            this.phases = new StartPhases(began);
            this.liveConfig = liveConfig;
            this.shutdown = shutdown;
            this.logger = LoggerFactory.getLogger(service.name());
        }

        @Override
        public String name() {
            return service.name();
        }

        @Override
        public String version() {
            return service.version();
        }

        @Override
        public Config config() {
            return liveConfig.current();
        }

        @Override
        public void onConfigChange(String keyPrefix, java.util.function.Consumer<Config> listener) {
            liveConfig.onChange(keyPrefix, listener);
        }

        @Override
        public Logger logger() {
            return logger;
        }

        @Override
        public Optional<URI> uri() {
            return Optional.ofNullable(uri);
        }

        @Override
        public ServiceState state() {
            return state;
        }

        @Override
        public MeterRegistry metrics() {
            return metrics;
        }

        @Override
        public Tracing tracing() {
            return require(tracing, "tracing");
        }

        @Override
        public Resilience resilience() {
            return require(resilience, "resilience");
        }

        @Override
        public ServiceClients clients() {
            return require(clients, "clients");
        }

        private <T> T require(T value, String what) {
            if (value == null) {
                throw new IllegalStateException("The " + what + " of service '" + service.name()
                                                        + "' are not available before it starts");
            }
            return value;
        }

        @Override
        public <T> Optional<T> findExtension(Class<T> type) {
            Objects.requireNonNull(type, "type");
            for (ServiceExtension extension : extensions) {
                if (type.isInstance(extension)) {
                    return Optional.of(type.cast(extension));
                }
            }
            return Optional.empty();
        }

        @Override
        public <T extends AutoCloseable> T closeOnStop(T resource) {
            Objects.requireNonNull(resource, "resource");
            synchronized (closeables) {
                closeables.push(resource);
            }
            return resource;
        }

        private AutoCloseable pollCloseable() {
            synchronized (closeables) {
                return closeables.poll();
            }
        }
    }
}
