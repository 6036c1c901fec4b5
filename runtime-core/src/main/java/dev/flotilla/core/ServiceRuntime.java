package dev.flotilla.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.discovery.ServiceDiscovery;
import dev.flotilla.core.http.internal.ValidatorBootstrap;
import dev.flotilla.core.json.JsonMapping;
import dev.flotilla.core.config.ConfigLayerProvider;
import dev.flotilla.core.config.internal.ServiceConfigLoader;
import dev.flotilla.core.ServiceExtensionProvider;
import io.helidon.http.media.MediaContext;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.service.registry.ServiceRegistryException;
import io.helidon.service.registry.Services;
import io.helidon.webserver.observe.metrics.MetricsObserverConfig;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Hosts one or more services in one JVM, each with its own web server, port, configuration view and extensions,
 * isolated from the others.
 *
 * <pre>{@code
 * try (ServiceRuntime runtime = ServiceRuntime.builder()
 *         .addService(new UserService(), Map.of("server.port", "0"))
 *         .addService(new OrderService(), Map.of("server.port", "0"))
 *         .build()) {
 *     runtime.start();
 *     URI users = runtime.service("user-service").uri();
 *     ...
 * }
 * }</pre>
 *
 * <p>Services start together, their start-up hooks run in the order the services were added, and they stop in
 * reverse order. Extensions (such as messaging) are
 * found with {@link ServiceLoader} unless {@link Builder#discoverExtensions(boolean)} turns that off, and can be
 * added in code. Thread-safe.
 */
public final class ServiceRuntime implements AutoCloseable {
    /** The logger of start-up timings, at DEBUG. */
    static final String PROFILE = "dev.flotilla.core.profile";
    private final List<ServiceInstance> instances;
    /** How long the parts of {@link Builder#build()} took, for the profile logger. */
    private final String buildPhases;

    private ServiceRuntime(List<ServiceInstance> instances, String buildPhases) {
        this.instances = List.copyOf(instances);
        this.buildPhases = buildPhases;
    }

    /**
     * A builder for a runtime.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every service that is not running. Their configuration, web servers and extensions (such as the
     * messaging connection) start concurrently; then their start-up hooks run one after another, in the order the
     * services were added, so a hook may call a service added before it (it is ready by then). If any service fails,
     * the ones started by this call are stopped again, in reverse order, before the failure is thrown.
     *
     * @throws ServiceStartException if a service cannot start
     */
    public void start() {
        bridgeJulToSlf4j();
        List<ServiceInstance> prepared = new ArrayList<>();
        ServiceStartException failure = null;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> preparing = new ArrayList<>();
            for (ServiceInstance instance : instances) {
                preparing.add(executor.submit(instance::prepare));
            }
            for (int i = 0; i < instances.size(); i++) {
                try {
                    if (preparing.get(i).get()) {
                        prepared.add(instances.get(i));
                    }
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof ServiceStartException sse ? sse
                                : new ServiceStartException("Service '" + instances.get(i).name()
                                        + "' failed to start: " + e.getCause(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new ServiceStartException("Interrupted while services were starting", e);
                }
            }
        }
        if (failure == null) {
            for (int i = 0; i < prepared.size() && failure == null; i++) {
                try {
                    prepared.get(i).complete();
                } catch (ServiceStartException e) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            for (int i = prepared.size() - 1; i >= 0; i--) {
                prepared.get(i).stop();
            }
            throw failure;
        }
        // After the start: a log.level.dev.flotilla.core.profile=DEBUG setting is applied by then.
        LoggerFactory.getLogger(PROFILE).debug("Runtime built: {}", buildPhases);
    }

    /**
     * Stops every running service gracefully, in reverse order of start. Never throws; failures are logged.
     */
    public void stop() {
        for (int i = instances.size() - 1; i >= 0; i--) {
            instances.get(i).stop();
        }
    }

    /**
     * Same as {@link #stop()}.
     */
    @Override
    public void close() {
        stop();
    }

    /**
     * Every hosted service, in the order they were added.
     *
     * @return the handles; never empty
     */
    public List<ServiceHandle> services() {
        return List.copyOf(instances);
    }

    /**
     * The first hosted instance of the named service.
     *
     * @param name the service's name
     * @return its handle
     * @throws IllegalArgumentException if no service of that name is hosted (the message lists those that are)
     */
    public ServiceHandle service(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "No service named '" + name + "' in this runtime; it hosts " + instances.stream()
                        .map(ServiceInstance::name).distinct().toList()));
    }

    /**
     * The first hosted instance of the named service, if any.
     *
     * @param name the service's name
     * @return its handle; empty when no service of that name is hosted
     */
    public Optional<ServiceHandle> find(String name) {
        Objects.requireNonNull(name, "name");
        return instances.stream().filter(i -> i.name().equals(name)).map(ServiceHandle.class::cast).findFirst();
    }

    /**
     * Every hosted instance of the named service (several instances of one service may run side by side).
     *
     * @param name the service's name
     * @return the handles; empty when none
     */
    public List<ServiceHandle> instances(String name) {
        Objects.requireNonNull(name, "name");
        return instances.stream().filter(i -> i.name().equals(name)).map(ServiceHandle.class::cast).toList();
    }

    /** Initializes the SLF4J backend (reading its configuration) if nothing has yet. */
    private static void initializeLogging() {
        LoggerFactory.getILoggerFactory();
    }

    /** Waits for a thread of the start to end; an interrupt is kept for the caller, who goes on. */
    private static void awaitQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Helidon logs through JUL; route it to SLF4J once per JVM (idempotent, no state of ours). */
    static void bridgeJulToSlf4j() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /**
     * Gives Helidon's service registry the process's configuration, read already, for the libraries that ask it for
     * theirs (the metrics registry reads its {@code metrics} section there): otherwise Helidon reads the environment,
     * the system properties and {@code application.yaml} again, with its parsers looked up on the class path, about
     * 250 ms of CPU on a first start. Only the runtime that brings Helidon's registry up does it: where the registry
     * is up already (a runtime started before in this JVM, or the application's own use of Helidon), its
     * configuration stays as it is.
     */
    private static void offerConfigToHelidon(ServiceConfigLoader configLoader) {
        if (GlobalServiceRegistry.configured()) {
            return;
        }
        try {
            Services.set(io.helidon.config.Config.class, configLoader.processConfig());
        } catch (ServiceRegistryException alreadySetOrUsed) {
            // Another thread's runtime brought the registry up meanwhile: Helidon keeps the configuration it has.
        }
    }

    /**
     * Builds a {@link ServiceRuntime}. Not thread-safe.
     */
    public static final class Builder {
        private record Entry(Service service, Map<String, String> overrides) {
        }

        private final List<Entry> entries = new ArrayList<>();
        private final List<ServiceExtensionProvider> extensions = new ArrayList<>();
        private final List<ConfigLayerProvider> configLayers = new ArrayList<>();
        private final java.util.LinkedHashMap<String, String> sharedOverrides = new java.util.LinkedHashMap<>();
        private boolean discoverExtensions = true;
        private boolean warmUpValidation;
        private final List<io.opentelemetry.sdk.trace.export.SpanExporter> spanExporters = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a service with no configuration overrides.
         *
         * @param service the service
         * @return this builder
         * @throws NullPointerException if {@code service} is {@code null}
         */
        public Builder addService(Service service) {
            return addService(service, Map.of());
        }

        /**
         * Adds a service with configuration overrides that win over every other source, for this service only,
         * such as {@code Map.of("server.port", "0")}.
         *
         * @param service   the service
         * @param overrides keys of the service's own configuration and their values
         * @return this builder
         * @throws NullPointerException if {@code service} or {@code overrides} is {@code null}
         */
        public Builder addService(Service service, Map<String, String> overrides) {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(overrides, "overrides");
            entries.add(new Entry(service, Map.copyOf(overrides)));
            return this;
        }

        /**
         * Sets a configuration override for every service of this runtime; a service's own overrides win over it.
         *
         * @param key   the configuration key, such as {@code shutdown.grace-period}
         * @param value the value
         * @return this builder
         * @throws NullPointerException if {@code key} or {@code value} is {@code null}
         */
        public Builder override(String key, String value) {
            sharedOverrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds an extension provider for every service of this runtime, after those found by
         * {@link ServiceLoader}.
         *
         * @param provider the provider
         * @return this builder
         * @throws NullPointerException if {@code provider} is {@code null}
         */
        public Builder addExtension(ServiceExtensionProvider provider) {
            extensions.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /**
         * Adds a provider of a central configuration layer for every service of this runtime, after those found by
         * {@link ServiceLoader}; the first provider that gives a service a layer is used.
         *
         * @param provider the provider
         * @return this builder
         * @throws NullPointerException if {@code provider} is {@code null}
         */
        public Builder addConfigLayer(ConfigLayerProvider provider) {
            configLayers.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /**
         * Whether to find extension and config layer providers with {@link ServiceLoader}; {@code true} by default.
         *
         * @param discover {@code false} to use only the providers added in code
         * @return this builder
         */
        public Builder discoverExtensions(boolean discover) {
            this.discoverExtensions = discover;
            return this;
        }

        /**
         * Sends every span the services of this runtime record to this exporter as it ends (for tests, such as
         * OpenTelemetry's {@code InMemorySpanExporter}, or an exporter of your own), in addition to any configured
         * {@code tracing.otlp.endpoint}. With an exporter, every service records spans (unless its
         * {@code tracing.enabled} is false). The exporter is flushed, never shut down, when a service stops.
         *
         * @param exporter the exporter
         * @return this builder
         * @throws NullPointerException if {@code exporter} is {@code null}
         */
        public Builder spanExporter(io.opentelemetry.sdk.trace.export.SpanExporter exporter) {
            spanExporters.add(Objects.requireNonNull(exporter, "exporter"));
            return this;
        }

        /**
         * Loads the contracts' validator on another thread while the services start, for the first start of a
         * process ({@link Flotilla#run}) on a machine with more than two cores; in a JVM that has built one already
         * it would only cost time. On two cores the JIT compilers keep the second core busy during a start, so a
         * service with constrained contracts gains nothing measurable from it, and one without pays for a
         * validator it never builds.
         *
         * @return this builder
         */
        Builder warmUpValidation() {
            this.warmUpValidation = true;
            return this;
        }

        /**
         * Builds the runtime; nothing starts until {@link ServiceRuntime#start()}.
         *
         * @return the runtime
         * @throws IllegalStateException if no service was added
         */
        public ServiceRuntime build() {
            if (entries.isEmpty()) {
                throw new IllegalStateException("A ServiceRuntime needs at least one service: call addService(...)");
            }
            // The two slowest things a first start loads are independent: the logging backend (its configuration)
            // initializes on another core while this thread builds the JSON mapping. Nothing here logs until the
            // backend is ready (a logger asked for during its initialization would be a substitute, and what it
            // logged would be replayed with a warning).
            long began = System.nanoTime();
            Thread logging = Thread.ofPlatform().name("flotilla-logging-init").daemon()
                    .start(ServiceRuntime::initializeLogging);
            ObjectMapper json = JsonMapping.newMapper();
            MediaContext media = JsonMapping.mediaContext(json);
            long mapped = System.nanoTime();
            awaitQuietly(logging);
            long logged = System.nanoTime();
            if (warmUpValidation && Runtime.getRuntime().availableProcessors() > 2) {
                // Loaded on another core while this one goes on with metrics, configuration and the services'
                // routes; the contracts' own validators are then built from loaded classes. Logging is up by now
                // (Hibernate Validator finds its backend when it first logs).
                Thread.ofPlatform().name("flotilla-validator-warm-up").daemon().start(ValidatorBootstrap::warmUp);
            }
            List<ServiceExtensionProvider> providers = new ArrayList<>();
            if (discoverExtensions) {
                ServiceLoader.load(ServiceExtensionProvider.class).forEach(providers::add);
            }
            providers.addAll(extensions);
            List<ConfigLayerProvider> layers = new ArrayList<>();
            if (discoverExtensions) {
                ServiceLoader.load(ConfigLayerProvider.class).forEach(layers::add);
            }
            layers.addAll(configLayers);
            ServiceConfigLoader configLoader = ServiceConfigLoader.fromProcess();
            offerConfigToHelidon(configLoader);
            MeterRegistry metrics = Services.get(MeterRegistry.class);
            MetricsObserverConfig metricsObserver = MetricsObserverConfig.builder()
                    .meterRegistry(metrics)
                    .buildPrototype();
            long done = System.nanoTime();
            String phases = "JSON mapping " + (mapped - began) / 1_000_000 + " ms, then waited for logging "
                    + (logged - mapped) / 1_000_000 + " ms, extension providers and meter registry "
                    + (done - logged) / 1_000_000 + " ms";
            List<ServiceInstance> instances = new ArrayList<>();
            ServiceDiscovery local = name -> instances.stream()
                    .filter(i -> i.name().equals(name) && i.state() == ServiceState.READY)
                    .map(ServiceInstance::uriIfRunning)
                    .flatMap(Optional::stream)
                    .toList();
            for (Entry entry : entries) {
                Map<String, String> overrides = new java.util.LinkedHashMap<>(sharedOverrides);
                overrides.putAll(entry.overrides());
                instances.add(new ServiceInstance(entry.service(), overrides, providers, layers, configLoader, json,
                                                   media, local, List.copyOf(spanExporters), metrics,
                                                   metricsObserver));
            }
            return new ServiceRuntime(instances, phases);
        }
    }
}
