/**
 * Durable, orchestrated sagas stored in a NATS JetStream key-value bucket: a saga is a sequence of steps, each with
 * an action (or a command sent and a reply awaited) and a compensation; its state survives crashes of the owning
 * instance and of nats-server. Start from {@link dev.flotilla.messaging.saga.Sagas} and
 * {@link dev.flotilla.messaging.saga.SagaDefinition}; see {@code docs/sagas.md} for the guarantees.
 */
package dev.flotilla.messaging.saga;
