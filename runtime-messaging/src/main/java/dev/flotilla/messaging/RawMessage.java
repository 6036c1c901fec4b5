package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A message as a transport hands it over: bytes and headers, plus how to settle or answer it.
 */
record RawMessage(String subject, Map<String, String> headers, byte[] body, LongSupplier deliveries, Acks acks,
                  Replier replier) {

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

    static RawMessage core(String subject, Map<String, String> headers, byte[] body) {
        return new RawMessage(subject, headers, body, ONCE, Acks.NONE, Replier.NONE);
    }
}
