package dev.flotilla.messaging;

import java.util.Objects;

/**
 * The acknowledgement of a durable publish: the stream stored the message (or had it already).
 *
 * @param stream    the name of the stream that stored the message
 * @param sequence  the message's sequence number in the stream
 * @param duplicate {@code true} when the stream had already stored a message with the same message id within
 *                  its duplicate window, so this publish was not stored again
 * @param messageId the {@code Nats-Msg-Id} the publish carried
 */
public record PublishAck(String stream, long sequence, boolean duplicate, String messageId) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if {@code stream} or {@code messageId} is {@code null}
     */
    public PublishAck {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(messageId, "messageId");
    }
}
