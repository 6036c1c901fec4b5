package dev.flotilla.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JetStream on the transport's connection (at-least-once): streams, durable publishes acknowledged by the stream
 * (retried with the same message id while the server is away), and durable pull consumers read by a virtual thread.
 */
final class NatsJetStream {

    private static final Logger LOG = LoggerFactory.getLogger(NatsJetStream.class);
    private static final int STREAM_NAME_IN_USE = 10058;
    /** Once a durable consumer is stopping, a quiet spell this long ends its reading. */
    private static final Duration STOP_POLL = Duration.ofMillis(100);
    /**
     * Retries a durable publish whose attempt failed on the way (IOException or IllegalStateException: no ack in
     * time, connection down or reconnecting), after 50 ms, doubling up to 1 s, with no limit on attempts: the attempt
     * itself gives up on what a retry cannot mend (closed connection, no stream) and once the publish retry timeout
     * has passed. Immutable, so one serves every publish.
     */
    private static final RetryPolicy<PublishAck> PUBLISH_RETRY = RetryPolicy.<PublishAck>builder()
            .handle(IOException.class, IllegalStateException.class)
            .withBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
            .withMaxRetries(-1)
            .build();

    private final NatsSettings settings;
    private final Connection connection;
    private final JetStreamOptions options;
    private final NatsUsage usage;
    private volatile JetStream jetStream;
    private volatile JetStreamManagement management;

    NatsJetStream(NatsConnector connector, NatsUsage usage) {
        this.usage = usage;
        this.settings = connector.settings();
        this.connection = connector.connection();
        this.options = JetStreamOptions.builder().requestTimeout(settings.requestTimeout()).build();
    }

    private JetStream jetStream() {
        JetStream js = jetStream;
        if (js == null) {
            js = jetStreamContext(() -> connection.jetStream(options));
            jetStream = js;
        }
        return js;
    }

    private JetStreamManagement management() {
        JetStreamManagement jsm = management;
        if (jsm == null) {
            jsm = jetStreamContext(() -> connection.jetStreamManagement(options));
            management = jsm;
        }
        return jsm;
    }

    @FunctionalInterface
    private interface JetStreamFactory<T> {
        T create() throws IOException;
    }

    private static <T> T jetStreamContext(JetStreamFactory<T> factory) {
        try {
            return factory.create();
        } catch (IOException e) {
            throw new MessagingException("JetStream is not available: " + e.getMessage()
                    + "; start nats-server with -js", e);
        }
    }

    void declareStream(StreamDefinition stream) {
        StreamConfiguration config = StreamConfiguration.builder()
                .name(stream.name())
                .subjects(stream.subjects())
                .storageType(stream.storage() == StreamDefinition.Storage.FILE ? StorageType.File
                        : StorageType.Memory)
                .maxAge(stream.maxAge())
                .duplicateWindow(stream.duplicateWindow())
                .replicas(stream.replicas())
                .build();
        JetStreamManagement jsm = management();
        try {
            try {
                jsm.addStream(config);
                LOG.info("Created stream {}", stream);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                    throw e;
                }
                jsm.updateStream(config);
                LOG.info("Updated stream {}", stream);
            }
        } catch (IOException | JetStreamApiException e) {
            throw new MessagingException("Cannot declare " + stream + ": " + e.getMessage(), e);
        }
    }

    PublishAck publishDurable(String subject, Map<String, String> headers, byte[] body, String messageId) {
        NatsPubSub.refuseOversized(connection, subject, body);
        PublishOptions publishOptions = PublishOptions.builder().messageId(messageId).build();
        Headers natsHeaders = NatsHeaders.toNats(headers);
        long deadline = System.nanoTime() + settings.publishRetryTimeout().toNanos();
        try {
            return Failsafe.with(PUBLISH_RETRY)
                    .get(() -> publishOnce(subject, natsHeaders, body, publishOptions, messageId, deadline));
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new MessagingException("Interrupted while publishing to '" + subject + "'", cause);
            }
            throw new MessagingException("Durable publish to '" + subject + "' (message id " + messageId
                    + ") failed: " + cause.getMessage(), cause);
        }
    }

    /**
     * One publish without waiting, not retried: completes with the ack or with a MessagingException saying why not
     * (no ack within the connection's request cleanup interval, connection closed, stream refused or none captures
     * the subject).
     */
    CompletableFuture<PublishAck> publishDurableAsync(String subject, Map<String, String> headers, byte[] body,
                                                      String messageId) {
        CompletableFuture<io.nats.client.api.PublishAck> sent;
        try {
            NatsPubSub.refuseOversized(connection, subject, body);
            sent = jetStream().publishAsync(subject, NatsHeaders.toNats(headers), body,
                                            PublishOptions.builder().messageId(messageId).build());
        } catch (MessagingException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(asyncFailure(subject, messageId, e));
        }
        return sent.handle((ack, error) -> {
            if (error != null) {
                throw asyncFailure(subject, messageId, error);
            }
            return new PublishAck(ack.getStream(), ack.getSeqno(), ack.isDuplicate(), messageId);
        });
    }

    private static MessagingException asyncFailure(String subject, String messageId, Throwable error) {
        Throwable cause = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
        if (cause instanceof MessagingException m) {
            return m;
        }
        return new MessagingException("Durable publish to '" + subject + "' (message id " + messageId + ") failed: "
                + cause, cause);
    }

    /**
     * One attempt: the ack, or the failure to retry (IOException, IllegalStateException), or a MessagingException
     * when retrying cannot help: the stream refused the message, the connection is closed, no stream captures the
     * subject, or the publish retry timeout has passed.
     */
    private PublishAck publishOnce(String subject, Headers headers, byte[] body, PublishOptions publishOptions,
                                   String messageId, long deadline) throws IOException {
        try {
            io.nats.client.api.PublishAck ack = jetStream().publish(subject, headers, body, publishOptions);
            return new PublishAck(ack.getStream(), ack.getSeqno(), ack.isDuplicate(), messageId);
        } catch (JetStreamApiException e) {
            throw new MessagingException("Stream refused the message on '" + subject + "': " + e.getMessage(), e);
        } catch (IOException | IllegalStateException e) {
            if (connection.getStatus() == Connection.Status.CLOSED) {
                throw new MessagingException("Cannot publish to '" + subject + "': connection closed", e);
            }
            if (connection.getStatus() == Connection.Status.CONNECTED && noStreamFor(subject)) {
                throw new MessagingException("No stream captures subject '" + subject
                        + "': declare one with Messaging.Builder.addStream or messaging.streams.<name>.subjects", e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new MessagingException("Durable publish to '" + subject + "' (message id " + messageId
                        + ") not acknowledged within " + settings.publishRetryTimeout() + ": " + e.getMessage(), e);
            }
            LOG.debug("Durable publish to {} failed, retrying with the same message id {}", subject, messageId, e);
            throw e;
        }
    }

    /**
     * Whether a stream captures the subject; false when JetStream cannot be asked now (then a core publish, which
     * is buffered until the reconnect, is the better choice).
     */
    boolean captures(String subject) {
        try {
            return !management().getStreamNames(subject).isEmpty();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Publishes a dead letter to a stream. A dead letter repeated after a crash between its publish and the
     * original's term is stored once: its message id is derived from the original's.
     */
    void publishDeadLetter(String subject, Map<String, String> headers, byte[] body) {
        String original = headers.get(MessagingHeaders.MESSAGE_ID);
        Map<String, String> copy = new LinkedHashMap<>(headers);
        if (original != null) {
            copy.remove(MessagingHeaders.MESSAGE_ID);
            copy.put(MessagingHeaders.ORIGINAL_MESSAGE_ID, original);
        }
        publishDurable(subject, copy, body, original != null ? "dead-letter-" + original
                : UUID.randomUUID().toString());
    }

    private boolean noStreamFor(String subject) {
        try {
            return management().getStreamNames(subject).isEmpty();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            return false;
        }
    }

    Transport.Handle subscribeDurable(String subject, String durableName, SubscriptionOptions subscription,
                                      Consumer<RawMessage> sink) {
        List<String> streams;
        try {
            streams = management().getStreamNames(subject);
        } catch (IOException | JetStreamApiException e) {
            throw new MessagingException("Cannot look up the stream for '" + subject + "': " + e.getMessage(), e);
        }
        if (streams.size() != 1) {
            throw new MessagingException(streams.isEmpty()
                    ? "No stream captures subject '" + subject + "': declare one with messaging.streams.<name>"
                    : "Subject '" + subject + "' is captured by several streams " + streams + ": subscribe to a "
                    + "narrower subject");
        }
        usage.consumes(streams.get(0), durableName);
        ConsumerConfiguration config = ConsumerConfiguration.builder()
                .durable(durableName)
                .filterSubject(subject)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(subscription.ackWait())
                // Flotilla counts deliveries itself and dead-letters on the last failure, so the server must
                // not silently stop redelivering first.
                .maxDeliver(-1)
                .build();
        IterableConsumer consumer;
        try {
            ConsumerContext context = connection.getStreamContext(streams.get(0), options)
                    .createOrUpdateConsumer(config);
            consumer = context.iterate(ConsumeOptions.builder().batchSize(subscription.prefetch())
                    .expiresIn(settings.pullExpiry().toMillis()).build());
        } catch (IOException | JetStreamApiException e) {
            throw new MessagingException("Cannot create durable consumer '" + durableName + "' on '" + subject
                    + "': " + e.getMessage(), e);
        }
        DurableReader reader = new DurableReader(subject, consumer, sink);
        reader.thread = Thread.ofVirtual().name("flotilla-nats-durable-" + subject).start(reader::run);
        return reader;
    }

    /** Reads a pull consumer on a virtual thread of our own and hands each message to the sink. */
    private static final class DurableReader implements Transport.Handle {
        private final String subject;
        private final IterableConsumer consumer;
        private final Consumer<RawMessage> sink;
        private volatile boolean abandon;
        private volatile boolean stopping;
        private Thread thread;

        DurableReader(String subject, IterableConsumer consumer, Consumer<RawMessage> sink) {
            this.subject = subject;
            this.consumer = consumer;
            this.sink = sink;
        }

        void run() {
            while (!abandon) {
                Message m;
                try {
                    // once stopping, messages already pulled are still handled; a short quiet spell ends the loop
                    m = consumer.nextMessage(stopping ? STOP_POLL : NatsPubSub.POLL);
                } catch (InterruptedException e) {
                    return;
                } catch (JetStreamStatusCheckedException | IllegalStateException e) {
                    LOG.warn("Durable consumer on {} reported {}", subject, e.getMessage());
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                if (m == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                if (abandon) {
                    // Handed back now, so another instance gets it at once rather than after the ack wait.
                    try {
                        m.nak();
                    } catch (RuntimeException e) {
                        LOG.debug("Could not hand back a message on {} while stopping: {}", subject, e.toString());
                    }
                    return;
                }
                JetStreamAcks acks = new JetStreamAcks(m);
                // no deadline: a stored event is not a call, and a relative budget means nothing on a redelivery
                sink.accept(new RawMessage(m.getSubject(), NatsHeaders.fromNats(m.getHeaders()), m.getData(), acks,
                        acks, RawMessage.Replier.NONE, null));
            }
        }

        @Override
        public boolean stopIntake(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            stopping = true;
            consumer.stop();
            if (NatsPubSub.join(thread, deadline)) {
                return true;
            }
            abandon = true;
            return false;
        }

        @Override
        public void close() {
            abandon = true;
            stopping = true;
            consumer.stop();
        }
    }

    /** Settles a JetStream message, and tells its delivery count (jnats parses it from the reply subject once). */
    private record JetStreamAcks(Message message) implements RawMessage.Acks, LongSupplier {
        @Override
        public long getAsLong() {
            return message.metaData().deliveredCount();
        }

        @Override
        public void ack() {
            message.ack();
        }

        @Override
        public void nak(Duration delay) {
            message.nakWithDelay(delay);
        }

        @Override
        public void term() {
            message.term();
        }
    }
}
