package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The in-JVM transport: core messaging through an {@link InJvmBroker}; JetStream calls are refused.
 */
final class InJvmTransport implements Transport {

    private final InJvmBroker broker;
    private final Events events;
    private volatile boolean closed;

    InJvmBroker broker() {
        return broker;
    }

    InJvmTransport(InJvmBroker broker, Events events) {
        this.broker = broker;
        this.events = events;
    }

    @Override
    public String name() {
        return "in-jvm";
    }

    @Override
    public void publish(String subject, Map<String, String> headers, byte[] body) {
        checkOpen();
        // the budget starts here, at the publisher: time queued in the broker counts against it
        broker.publish(RawMessage.received(subject, Map.copyOf(headers), body, RawMessage.Replier.NONE));
    }

    @Override
    public Handle subscribe(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        checkOpen();
        return broker.subscribe(subject, queueGroupOrNull, sink, () -> events.slowConsumer(subject));
    }

    @Override
    public CompletableFuture<RawMessage> request(String subject, Map<String, String> headers, byte[] body,
                                                 Duration timeout) {
        checkOpen();
        CompletableFuture<RawMessage> reply = new CompletableFuture<>();
        String inbox = "_INBOX." + UUID.randomUUID().toString().replace("-", "");
        InJvmBroker.Member inboxMember = broker.subscribe(inbox, null, reply::complete, () -> { });
        RawMessage.Replier replier = (h, b) -> broker.publish(RawMessage.core(inbox, Map.copyOf(h), b));
        int receivers = broker.publish(RawMessage.received(subject, Map.copyOf(headers), body, replier));
        if (receivers == 0) {
            reply.completeExceptionally(new NoRespondersException(subject));
        }
        return reply.orTimeout(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                .handle((r, e) -> {
                    inboxMember.close();
                    if (e instanceof TimeoutException) {
                        throw new RequestTimeoutException(subject, timeout);
                    }
                    if (e != null) {
                        throw e instanceof RuntimeException re ? re : new MessagingException(e.toString(), e);
                    }
                    return r;
                });
    }

    @Override
    public Handle respond(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        return subscribe(subject, queueGroupOrNull, sink);
    }

    @Override
    public PublishAck publishDurable(String subject, Map<String, String> headers, byte[] body, String messageId) {
        throw new UnsupportedByTransportException(name(), "durable publishing (JetStream)");
    }

    @Override
    public Handle subscribeDurable(String subject, String durableName, SubscriptionOptions options,
                                   Consumer<RawMessage> sink) {
        throw new UnsupportedByTransportException(name(), "durable subscriptions (JetStream)");
    }

    @Override
    public void declareStream(StreamDefinition stream) {
        throw new UnsupportedByTransportException(name(), "streams (JetStream), such as '" + stream.name() + "'");
    }

    @Override
    public boolean isConnected() {
        return !closed;
    }

    @Override
    public Map<String, Object> status() {
        return Map.of("transport", name(), "connected", !closed);
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new MessagingException("Messaging is closed: the in-JVM transport no longer sends or receives");
        }
    }
}
