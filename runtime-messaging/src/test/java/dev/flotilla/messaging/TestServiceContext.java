package dev.flotilla.messaging;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceState;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain {@link ServiceContext} for driving the extension SPI the way the runtime will, until the runtime is on
 * this branch. Not a mock of NATS or HTTP: the extension under test talks to a real nats-server.
 */
final class TestServiceContext implements ServiceContext {

    private final String name;
    private final Config config;
    private final URI uri;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final io.helidon.metrics.api.MeterRegistry metrics = io.helidon.metrics.api.MeterRegistry.create(
            io.helidon.metrics.api.MetricsConfig.builder().warnOnMultipleRegistries(false).build());

    TestServiceContext(String name, URI uri, Map<String, String> config) {
        this.name = name;
        this.uri = uri;
        this.config = Config.just(ConfigSources.create(config));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return "1.2.3";
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Logger logger() {
        return LoggerFactory.getLogger(name);
    }

    @Override
    public Optional<URI> uri() {
        return Optional.ofNullable(uri);
    }

    @Override
    public ServiceState state() {
        return ServiceState.READY;
    }

    @Override
    public <T> Optional<T> findExtension(Class<T> type) {
        return Optional.empty();
    }

    @Override
    public io.helidon.metrics.api.MeterRegistry metrics() {
        return metrics;
    }

    @Override
    public dev.flotilla.resilience.Resilience resilience() {
        throw new UnsupportedOperationException("not used by the messaging extension");
    }

    @Override
    public dev.flotilla.core.http.ServiceClients clients() {
        throw new UnsupportedOperationException("not used by the messaging extension");
    }

    @Override
    public <T extends AutoCloseable> T closeOnStop(T resource) {
        resources.add(resource);
        return resource;
    }
}
