package dev.flotilla.testkit;

/**
 * Where a {@link TestSystem}'s messaging runs.
 */
public enum NatsMode {
    /**
     * A real nats-server with JetStream, started for the system on an ephemeral port (binary from
     * {@code NATS_SERVER_BIN} or the {@code PATH}), or the external server in {@code NATS_URL} when that variable is
     * set. The default.
     */
    SERVER,
    /**
     * The in-JVM transport: no server. JetStream features (durable streams) are refused by it.
     */
    IN_JVM
}
