/**
 * NATS messaging for Flotilla services: publish/subscribe, request-reply, JetStream at-least-once delivery, service
 * discovery through {@code $SRV}, central configuration in a NATS key-value bucket, and the in-JVM transport. Start
 * from {@link dev.flotilla.messaging.Messaging}.
 *
 * <p>Exported: {@code dev.flotilla.messaging}, {@code dev.flotilla.messaging.config} and
 * {@code dev.flotilla.messaging.permissions} (least-privilege NATS permissions), {@code dev.flotilla.messaging.outbox}
 * (the transactional outbox) and {@code dev.flotilla.messaging.idempotency} (idempotent handlers; both read
 * {@code java.sql}). The test hook in
 * {@code dev.flotilla.messaging.internal} is exported to the testkit only. jnats is read transitively because
 * {@link dev.flotilla.messaging.NatsSettings#toOptions(String)} hands its {@code Options} to applications that open a
 * connection of their own.
 */
// "module": the qualified export names a module built after this one. "requires-(transitive-)automatic": jnats,
// Failsafe and OpenTelemetry ship automatic modules only (stable Automatic-Module-Name entries).
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.flotilla.messaging {
    requires transitive dev.flotilla.core;
    requires dev.flotilla.resilience;
    requires transitive io.nats.jnats;

    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires dev.failsafe.core;
    requires io.helidon.http;
    requires transitive java.sql;

    exports dev.flotilla.messaging;
    exports dev.flotilla.messaging.config;
    exports dev.flotilla.messaging.permissions;
    // durable sagas on a JetStream key-value bucket
    exports dev.flotilla.messaging.saga;
    exports dev.flotilla.messaging.internal to dev.flotilla.testkit;
    exports dev.flotilla.messaging.outbox;
    exports dev.flotilla.messaging.idempotency;

    provides dev.flotilla.core.ServiceExtensionProvider with dev.flotilla.messaging.MessagingExtensionProvider;
    provides dev.flotilla.core.config.ConfigLayerProvider with dev.flotilla.messaging.config.NatsConfigLayerProvider;
}
