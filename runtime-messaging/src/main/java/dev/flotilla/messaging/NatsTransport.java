package dev.flotilla.messaging;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;

/**
 * The NATS transport: one jnats connection ({@link NatsConnector}) shared by core publish/subscribe and
 * request-reply ({@link NatsPubSub}), the service's NATS micro service whose endpoints are the responders
 * ({@link NatsServiceEndpoints}), and JetStream streams and durable consumers ({@link NatsJetStream}).
 */
final class NatsTransport implements Transport {

    private final NatsConnector connector;
    private final NatsPubSub pubSub;
    private final NatsServiceEndpoints endpoints;
    private final NatsJetStream jetStream;
    private final NatsUsage usage;

    /**
     * Connects and registers the service's NATS micro service.
     *
     * @throws MessagingException if NATS cannot be reached or the settings are invalid
     */
    NatsTransport(NatsSettings settings, ServiceIdentity identity, Events events) {
        this.connector = new NatsConnector(settings, identity.name(), events);
        this.pubSub = new NatsPubSub(connector);
        this.usage = new NatsUsage(identity.name(), settings.inboxPrefix());
        this.jetStream = new NatsJetStream(connector, usage);
        try {
            this.endpoints = new NatsServiceEndpoints(connector, identity);
            // each instance answers what it does on NATS, for its permissions (see NatsUsage)
            Dispatcher answers = connector.connection().createDispatcher(request -> {
                if (request.getReplyTo() != null) {
                    connector.connection().publish(request.getReplyTo(),
                            usage.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            });
            answers.subscribe(NatsUsage.SUBJECT_PREFIX + ServiceIdentity.natsServiceName(identity.name()));
        } catch (RuntimeException e) {
            connector.closeNow();
            throw e;
        }
    }

    Connection connection() {
        return connector.connection();
    }

    /** What the service does on NATS, for its permissions. */
    NatsUsage usage() {
        return usage;
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public void publish(String subject, Map<String, String> headers, byte[] body) {
        usage.published(subject);
        pubSub.publish(subject, headers, body);
    }

    @Override
    public Handle subscribe(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        usage.subscribed(subject, queueGroupOrNull);
        return pubSub.subscribe(subject, queueGroupOrNull, sink);
    }

    @Override
    public CompletableFuture<RawMessage> request(String subject, Map<String, String> headers, byte[] body,
                                                 Duration timeout) {
        usage.requested(subject);
        return pubSub.request(subject, headers, body, timeout);
    }

    @Override
    public RawMessage requestAndWait(String subject, Map<String, String> headers, byte[] body, Duration timeout) {
        usage.requested(subject);
        return pubSub.requestAndWait(subject, headers, body, timeout);
    }

    @Override
    public Handle respond(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        usage.responds(subject, queueGroupOrNull);
        return endpoints.respond(subject, queueGroupOrNull, sink);
    }

    @Override
    public void describe(Map<String, String> metadata) {
        endpoints.describe(metadata);
    }

    @Override
    public void declareStream(StreamDefinition stream) {
        usage.declaredStream(stream.name());
        jetStream.declareStream(stream);
    }

    @Override
    public PublishAck publishDurable(String subject, Map<String, String> headers, byte[] body, String messageId) {
        usage.published(subject);
        return jetStream.publishDurable(subject, headers, body, messageId);
    }

    @Override
    public CompletableFuture<PublishAck> publishDurableAsync(String subject, Map<String, String> headers,
                                                             byte[] body, String messageId) {
        usage.published(subject);
        return jetStream.publishDurableAsync(subject, headers, body, messageId);
    }

    /** Durable when a stream captures the subject; else (or when JetStream cannot be asked now) a core publish. */
    @Override
    public void publishDeadLetter(String subject, Map<String, String> headers, byte[] body) {
        usage.published(subject);
        if (jetStream.captures(subject)) {
            jetStream.publishDeadLetter(subject, headers, body);
        } else {
            pubSub.publish(subject, headers, body);
        }
    }

    @Override
    public Handle subscribeDurable(String subject, String durableName, SubscriptionOptions options,
                                   Consumer<RawMessage> sink) {
        return jetStream.subscribeDurable(subject, durableName, options, sink);
    }

    @Override
    public boolean isConnected() {
        return connector.isConnected();
    }

    @Override
    public Map<String, Object> status() {
        Connection connection = connector.connection();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("transport", name());
        status.put("status", connection.getStatus().name());
        String url = connection.getConnectedUrl();
        if (url != null) {
            status.put("server", url);
        }
        return status;
    }

    /** Unregisters the NATS service, then flushes what was published and closes the connection. */
    @Override
    public void close() {
        endpoints.stop();
        connector.close();
    }
}
