package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What {@link DefaultMessaging} needs from a wire: bytes in, bytes out. Implementations call sinks from their
 * own delivery threads, one message at a time per subscription; a sink may block to push back.
 */
interface Transport {

    /** Called by a transport when it drops messages for a subscriber that cannot keep up. */
    interface Events {
        void slowConsumer(String subject);
    }

    /** A transport-side subscription. */
    interface Handle {
        /** Stops receiving and hands over what was already received, waiting at most {@code timeout}. */
        boolean stopIntake(Duration timeout);

        /** Stops at once. */
        void close();
    }

    String name();

    void publish(String subject, Map<String, String> headers, byte[] body);

    Handle subscribe(String subject, String queueGroupOrNull, Consumer<RawMessage> sink);

    /** Completes with the reply, or exceptionally with NoRespondersException / RequestTimeoutException. */
    CompletableFuture<RawMessage> request(String subject, Map<String, String> headers, byte[] body,
                                          Duration timeout);

    /**
     * Sends a request and waits for the reply on the calling thread; throws NoRespondersException,
     * RequestTimeoutException or MessagingException as {@link #request} completes with them.
     */
    default RawMessage requestAndWait(String subject, Map<String, String> headers, byte[] body, Duration timeout) {
        try {
            return request(subject, headers, body, timeout).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new MessagingException("Request to '" + subject + "' failed: " + e.getCause(), e.getCause());
        }
    }

    Handle respond(String subject, String queueGroupOrNull, Consumer<RawMessage> sink);

    PublishAck publishDurable(String subject, Map<String, String> headers, byte[] body, String messageId);

    /** One durable publish attempt; completes with the ack or exceptionally (MessagingException). */
    default CompletableFuture<PublishAck> publishDurableAsync(String subject, Map<String, String> headers,
                                                              byte[] body, String messageId) {
        return CompletableFuture.failedFuture(
                new UnsupportedByTransportException(name(), "durable publishing (JetStream)"));
    }

    /**
     * Publishes a dead letter: durably (waiting for the ack) when a stream captures the subject, else like
     * {@link #publish}. Throws when a durable publish fails, so the caller can keep the original message.
     */
    default void publishDeadLetter(String subject, Map<String, String> headers, byte[] body) {
        publish(subject, headers, body);
    }

    Handle subscribeDurable(String subject, String durableName, SubscriptionOptions options,
                            Consumer<RawMessage> sink);

    void declareStream(StreamDefinition stream);

    /**
     * Publishes extra metadata about the service (NATS: in {@code $SRV.INFO}); ignored where there is no such
     * place.
     */
    default void describe(Map<String, String> metadata) {
    }

    boolean isConnected();

    /** Details for health and logs, such as the connected server. */
    Map<String, Object> status();

    /** Finishes sending what was published, then releases everything. */
    void close();
}
