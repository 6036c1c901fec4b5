package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Map;

/**
 * A message as a transport hands it over: bytes and headers, plus how to settle or answer it.
 */
record RawMessage(String subject, Map<String, String> headers, byte[] body, long deliveryCount, Acks acks,
                  Replier replier) {

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
        return new RawMessage(subject, headers, body, 1, Acks.NONE, Replier.NONE);
    }
}
