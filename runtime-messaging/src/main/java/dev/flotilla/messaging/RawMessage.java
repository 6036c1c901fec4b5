package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.resilience.Deadline;

/**
 * A message as a transport hands it over: bytes and headers, plus how to settle or answer it, and the deadline its
 * sender gave it ({@link MessagingHeaders#DEADLINE}), counted from when the transport took it in; {@code null} when
 * it has none or when deadlines do not apply to it (durable messages, replies).
 */
record RawMessage(String subject, Map<String, String> headers, byte[] body, LongSupplier deliveries, Acks acks,
                  Replier replier, Deadline deadline) {

    /** Core messages are delivered once. */
    static final LongSupplier ONCE = () -> 1;

    /** How many times the message was delivered; computed on demand (JetStream parses it from the reply subject). */
    long deliveryCount() {
        return deliveries.getAsLong();
    }

    /** Settles a durable message; no-ops for core messages. */
    interface Acks {
        Acks NONE = new Acks() {
            @Override
            public void ack() {
            }

            @Override
            public void nak(Duration delay) {
            }

            @Override
            public void term() {
            }
        };

        void ack();

        void nak(Duration delay);

        void term();
    }

    /** Sends the reply to a request. */
    @FunctionalInterface
    interface Replier {
        Replier NONE = (headers, body) -> {
        };

        void reply(Map<String, String> headers, byte[] body);
    }

    /** A core message without a deadline: a reply, or a marker. */
    static RawMessage core(String subject, Map<String, String> headers, byte[] body) {
        return new RawMessage(subject, headers, body, ONCE, Acks.NONE, Replier.NONE, null);
    }

    /** A core message or request as received now: its deadline header, if any, is counted from here. */
    static RawMessage received(String subject, Map<String, String> headers, byte[] body, Replier replier) {
        return new RawMessage(subject, headers, body, ONCE, Acks.NONE, replier, deadline(headers));
    }

    /** The budget a received message carries; a map look-up and nothing more for a message without one. */
    static Deadline deadline(Map<String, String> headers) {
        String millis = headers.get(MessagingHeaders.DEADLINE);
        return millis == null ? null : CallContext.receivedDeadline(millis).orElse(null);
    }
}
