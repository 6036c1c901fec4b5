/**
 * Idempotent message handlers: the ids of the messages a handler has applied, recorded in the same JDBC transaction
 * as its effect, so a redelivered message changes nothing twice. Start from
 * {@link dev.flotilla.messaging.idempotency.ProcessedMessages}.
 */
package dev.flotilla.messaging.idempotency;
