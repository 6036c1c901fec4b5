package dev.flotilla.messaging.internal;

import java.util.Optional;
import java.util.function.Supplier;

import io.nats.client.Connection;

/**
 * Not API; for Flotilla's own packages (the saga engine, the testkit), which keep state on the messaging's
 * transport. May change in any release. Implemented by the runtime's {@link dev.flotilla.messaging.Messaging}.
 */
public interface TransportAccess {
    /**
     * The messaging's NATS connection.
     *
     * @return the connection; empty on the in-JVM transport
     * @throws IllegalStateException if the messaging is not started
     */
    Optional<Connection> natsConnection();

    /**
     * An object shared by every messaging on the same in-JVM broker (every service and instance of one in-JVM
     * system), made by {@code factory} the first time {@code key} is asked for.
     *
     * @param key     what the object is, such as {@code sagas-order-service}
     * @param type    its type
     * @param factory makes it
     * @param <T>     its type
     * @return the object; empty on NATS
     * @throws ClassCastException    if {@code key} holds an object of another type
     * @throws IllegalStateException if the messaging is not started
     */
    <T> Optional<T> inJvmShared(String key, Class<T> type, Supplier<T> factory);
}
