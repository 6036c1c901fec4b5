/**
 * A transactional outbox: events written to a table of the service's own database in the same JDBC transaction as
 * the state change they announce, and published to JetStream by a relay once that transaction has committed. Start
 * from {@link dev.flotilla.messaging.outbox.Outbox}.
 */
package dev.flotilla.messaging.outbox;
