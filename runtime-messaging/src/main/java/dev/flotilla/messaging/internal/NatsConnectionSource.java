package dev.flotilla.messaging.internal;

import java.util.Optional;

import io.nats.client.Connection;

/**
 * Not API; for Flotilla's own packages (the saga engine), which store state on the messaging's NATS connection.
 * May change in any release. Implemented by the runtime's {@link dev.flotilla.messaging.Messaging}.
 */
public interface NatsConnectionSource {
    /**
     * The messaging's NATS connection.
     *
     * @return the connection; empty on the in-JVM transport
     * @throws IllegalStateException if the messaging is not started
     */
    Optional<Connection> natsConnection();
}
