package dev.flotilla.messaging;

/**
 * Handles messages of one subscription. Runs on a virtual thread, so blocking is fine.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface MessageHandler<T> {

    /**
     * Handles one message. On a core subscription a thrown exception sends the message to the dead-letter subject
     * (no redelivery); on a durable subscription it naks the message for redelivery after a backoff, and after
     * the maximum deliveries dead-letters it.
     *
     * @param message the message; never {@code null}
     * @throws Exception when the message could not be handled
     */
    void handle(Envelope<T> message) throws Exception;
}
