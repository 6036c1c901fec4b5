package dev.flotilla.messaging;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.core.discovery.ServiceDiscovery;
import dev.flotilla.core.ServiceExtension;
import dev.flotilla.messaging.internal.DeliveryInterceptor;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.http.HeaderNames;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.http.HttpRouting;

/**
 * Messaging as a service extension: built from the service's {@code messaging} config when the service starts,
 * drained and closed when it stops, with a readiness check named {@code messaging} and the counters of
 * {@link Messaging#stats()} as metrics {@code flotilla.messaging.published}, {@code .handled}, {@code .failed},
 * {@code .dead-lettered}, {@code .slow-consumers}, {@code .expired} and {@code .unverified}, tagged {@code service}, and the connection state gauge
 * {@code flotilla.messaging.connected} (1 or 0, tagged {@code service} and {@code transport}).
 */
final class MessagingExtension implements ServiceExtension, Messaging, ServiceDiscovery,
        dev.flotilla.messaging.internal.TransportAccess {

    private final ServiceContext context;
    private final Messaging.Builder builder;
    private volatile DefaultMessaging delegate;
    private volatile NatsDiscovery discovery;
    private final List<Meter> meters = new java.util.ArrayList<>();

    MessagingExtension(ServiceContext context, Messaging.Builder builder) {
        this.context = context;
        this.builder = builder;
    }

    /**
     * Builds the service's messaging; another extension of the service that is a {@link DeliveryInterceptor} (the
     * testkit's fault injection) sees its deliveries.
     */
    @Override
    public void start() {
        context.uri().ifPresent(builder::httpUri);
        context.findExtension(DeliveryInterceptor.class).ifPresent(builder::deliveryInterceptor);
        DefaultMessaging started = (DefaultMessaging) builder.build();
        delegate = started;
        // the central configuration bucket is read with the same NATS credentials (unless config.central.nats says
        // otherwise), so the service's permissions must let it watch the bucket
        context.config().get("config.central.bucket").asString().asOptional().filter(b -> !b.isBlank())
                .ifPresent(bucket -> {
                    if (started.transportImpl() instanceof NatsTransport nats) {
                        nats.usage().readsBucket(bucket);
                    }
                });
        MeterRegistry registry = context.metrics();
        counter(registry, "published", started, m -> m.stats().published());
        counter(registry, "handled", started, m -> m.stats().handled());
        counter(registry, "failed", started, m -> m.stats().failed());
        counter(registry, "dead-lettered", started, m -> m.stats().deadLettered());
        counter(registry, "slow-consumers", started, m -> m.stats().slowConsumers());
        counter(registry, "expired", started, m -> m.stats().expired());
        counter(registry, "unverified", started, m -> m.stats().unverified());
        meters.add(registry.getOrCreate(Gauge.builder("flotilla.messaging.connected", started,
                                                      m -> m.isConnected() ? 1 : 0)
                                                .addTag(Tag.create("service", context.name()))
                                                .addTag(Tag.create("transport", started.transport()))
                                                .description("1 while the messaging connection is up, else 0")));
    }

    /** Registers {@code flotilla.messaging.<name>}, tagged with the service, read from the stats on demand. */
    private void counter(MeterRegistry registry, String name, DefaultMessaging messaging,
                         Function<DefaultMessaging, Long> value) {
        meters.add(register(registry, FunctionalCounter.builder("flotilla.messaging." + name, messaging, value)
                .addTag(Tag.create("service", context.name()))));
    }

    private static <X> Meter register(MeterRegistry registry, FunctionalCounter.Builder<X> builder) {
        return registry.getOrCreate(builder);
    }

    @Override
    public void drain(Duration timeout) {
        DefaultMessaging d = delegate;
        if (d != null && !d.drainSubscriptions(timeout)) {
            context.logger().warn("Messaging handlers still running after {}", timeout);
        }
    }

    @Override
    public void stop() {
        DefaultMessaging d = delegate;
        if (d != null) {
            d.close();
        }
        // a restarted service gets a new extension: its counters must not read this one
        meters.forEach(m -> context.metrics().remove(m));
        meters.clear();
    }

    @Override
    public List<HealthCheck> healthChecks() {
        return List.of(new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public String name() {
                return "messaging";
            }

            @Override
            public HealthCheckResponse call() {
                DefaultMessaging d = delegate;
                HealthCheckResponse.Builder response = HealthCheckResponse.builder();
                if (d == null) {
                    return response.status(false).detail("status", "not started").build();
                }
                response.status(d.isConnected());
                for (Map.Entry<String, Object> e : d.status().entrySet()) {
                    response.detail(e.getKey(), e.getValue());
                }
                return response.build();
            }
        });
    }

    /**
     * HTTP instances of a service through NATS's service protocol; empty on the in-JVM transport (services of
     * the same runtime are found by the runtime itself) and before start.
     */
    @Override
    public List<URI> instances(String serviceName) {
        DefaultMessaging d = delegate;
        if (d == null || !(d.transportImpl() instanceof NatsTransport nats)) {
            return List.of();
        }
        NatsDiscovery current = discovery;
        if (current == null) {
            current = NatsDiscovery.create(nats, NatsDiscovery.DEFAULT_MAX_WAIT);
            discovery = current;
        }
        return current.instances(serviceName);
    }

    /** Makes NATS discovery ask again soon, if it was asked before. */
    @Override
    public void unreachable(String serviceName, URI instance) {
        NatsDiscovery current = discovery;
        if (current != null) {
            current.unreachable(serviceName, instance);
        }
    }

    DefaultMessaging delegate() {
        DefaultMessaging d = delegate;
        if (d == null) {
            throw new IllegalStateException("Messaging of service '" + context.name()
                    + "' is not started yet: use it from Service.start or later, not while routes are built");
        }
        return d;
    }

    @Override
    public void publish(String subject, Object event, Map<String, String> headers) {
        delegate().publish(subject, event, headers);
    }

    @Override
    public <T> Subscription subscribe(String subject, Class<T> type, SubscriptionOptions options,
                                      MessageHandler<T> handler) {
        return delegate().subscribe(subject, type, options, handler);
    }

    @Override
    public <R> CompletableFuture<R> requestAsync(String subject, Object request, Class<R> replyType,
                                                 Duration timeout) {
        return delegate().requestAsync(subject, request, replyType, timeout);
    }

    @Override
    public <Q, R> Subscription respond(String subject, Class<Q> type, SubscriptionOptions options,
                                       Responder<Q, R> responder) {
        return delegate().respond(subject, type, options, responder);
    }

    @Override
    public PublishAck publishDurable(String subject, Object event, String messageId) {
        return delegate().publishDurable(subject, event, messageId);
    }

    @Override
    public CompletableFuture<PublishAck> publishDurableAsync(String subject, Object event, String messageId,
                                                             Map<String, String> headers) {
        return delegate().publishDurableAsync(subject, event, messageId, headers);
    }

    @Override
    public <T> Subscription subscribeDurable(String subject, Class<T> type, SubscriptionOptions options,
                                             MessageHandler<T> handler) {
        return delegate().subscribeDurable(subject, type, options, handler);
    }

    @Override
    public void declareStream(StreamDefinition stream) {
        delegate().declareStream(stream);
    }

    @Override
    public String serviceName() {
        return context.name();
    }

    @Override
    public String transport() {
        return delegate().transport();
    }

    @Override
    public EventCatalog events() {
        return delegate().events();
    }

    /** Serves the event list with schemas as an AsyncAPI 3.0 document. */
    @Override
    public void routing(HttpRouting.Builder routing) {
        routing.get("/asyncapi", (req, res) -> {
            DefaultMessaging d = delegate;
            List<EventContract> events = d == null ? List.of() : d.events().events();
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(EventCatalog.asyncApi(context.name(), context.version(), events).toPrettyString());
        });
    }

    @Override
    public java.util.Optional<io.nats.client.Connection> natsConnection() {
        return delegate().natsConnection();
    }

    @Override
    public <T> java.util.Optional<T> inJvmShared(String key, Class<T> type, java.util.function.Supplier<T> factory) {
        return delegate().inJvmShared(key, type, factory);
    }

    @Override
    public String deadLetterSubject() {
        return delegate().deadLetterSubject();
    }

    @Override
    public boolean isConnected() {
        DefaultMessaging d = delegate;
        return d != null && d.isConnected();
    }

    @Override
    public Messaging.Stats stats() {
        return delegate().stats();
    }

    @Override
    public boolean drainSubscriptions(Duration timeout) {
        return delegate().drainSubscriptions(timeout);
    }

    @Override
    public void close() {
        stop();
    }
}
