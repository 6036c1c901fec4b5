package dev.flotilla.messaging.idempotency;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Function;

import javax.sql.DataSource;

import dev.flotilla.messaging.Envelope;
import dev.flotilla.messaging.MessageHandler;
import dev.flotilla.messaging.MessagingException;

/**
 * The ids of the messages each consumer has applied, kept in a table of the service's database
 * ({@value #DEFAULT_TABLE} by default, created if missing on H2 and PostgreSQL), written in the same transaction as
 * the effect of the message: a redelivered message (JetStream delivers at least once) is then recognised and changes
 * nothing twice.
 *
 * <p>Use {@link #markProcessed(Connection, String, String)} inside a transaction of your own, or let
 * {@link #handler(String, TransactionalHandler)} run the effect and the mark in one transaction. Instances are
 * thread-safe.
 */
public final class ProcessedMessages {

    /** The default table name. */
    public static final String DEFAULT_TABLE = "flotilla_processed";

    private ProcessedMessages(Builder builder) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Processed messages in the default table, created if missing.
     *
     * @param dataSource the database
     * @return the processed messages
     * @throws MessagingException   if the table cannot be created
     * @throws NullPointerException if {@code dataSource} is {@code null}
     */
    public static ProcessedMessages create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /**
     * A builder, to choose the table.
     *
     * @param dataSource the database
     * @return a new builder
     * @throws NullPointerException if {@code dataSource} is {@code null}
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Records that a consumer has applied a message, within the caller's transaction. Returns {@code false}, leaving
     * the transaction usable (the failed insert is rolled back to a savepoint), when the consumer applied the message
     * before; if another transaction is recording the same id at the same time, waits for it to finish.
     *
     * @param transaction the caller's connection, in the transaction that applies the message's effect
     * @param consumer    the consumer's name, such as the subscription's, at most 255 characters
     * @param messageId   the message's id, at most 255 characters
     * @return {@code true} the first time, {@code false} when the id was recorded for this consumer already
     * @throws IllegalArgumentException if the consumer or message id is blank or too long
     * @throws SQLException             if the database fails otherwise
     * @throws NullPointerException     if an argument is {@code null}
     */
    public boolean markProcessed(Connection transaction, String consumer, String messageId) throws SQLException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * A message handler that applies each message once per consumer: it opens a transaction, records the message id
     * ({@code Nats-Msg-Id}) and, the first time, runs the effect in that same transaction, then commits. A message
     * applied before is acknowledged without running the effect. When the effect throws, the transaction is rolled
     * back and the exception is rethrown (so the message is redelivered). A message without a {@code Nats-Msg-Id}
     * fails with an {@link IllegalArgumentException}.
     *
     * @param consumer the consumer's name the ids are recorded under
     * @param effect   the effect, run in the transaction
     * @param <T>      the payload type
     * @return the handler, for a (durable) subscription
     * @throws IllegalArgumentException if {@code consumer} is blank or too long
     * @throws NullPointerException     if an argument is {@code null}
     */
    public <T> MessageHandler<T> handler(String consumer, TransactionalHandler<T> effect) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Like {@link #handler(String, TransactionalHandler)}, with the message id taken from each message by a function
     * of your own (such as an id field of the payload).
     *
     * @param consumer  the consumer's name
     * @param messageId the message's id; a {@code null} or blank id fails the message
     * @param effect    the effect, run in the transaction
     * @param <T>       the payload type
     * @return the handler
     * @throws IllegalArgumentException if {@code consumer} is blank or too long
     * @throws NullPointerException     if an argument is {@code null}
     */
    public <T> MessageHandler<T> handler(String consumer, Function<Envelope<T>, String> messageId,
                                         TransactionalHandler<T> effect) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * The table name.
     *
     * @return the table
     */
    public String table() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * The effect of one message, applied within a transaction the caller opened and commits.
     *
     * @param <T> the payload type
     */
    @FunctionalInterface
    public interface TransactionalHandler<T> {

        /**
         * Applies a message. Do not commit, roll back or close the connection.
         *
         * @param transaction the connection, in the transaction that also records the message id
         * @param message     the message
         * @throws Exception when the message cannot be applied now; the transaction is rolled back
         */
        void handle(Connection transaction, Envelope<T> message) throws Exception;
    }

    /**
     * Configures {@link ProcessedMessages}. Not thread-safe.
     */
    public static final class Builder {

        private final DataSource dataSource;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * Sets the table name; default {@value ProcessedMessages#DEFAULT_TABLE}.
         *
         * @param name an SQL identifier: letters, digits and {@code _}, starting with a letter
         * @return this builder
         * @throws IllegalArgumentException if the name is not such an identifier
         * @throws NullPointerException     if {@code name} is {@code null}
         */
        public Builder table(String name) {
            return this;
        }

        /**
         * Creates the table if missing.
         *
         * @return the processed messages
         * @throws MessagingException if the table cannot be created
         */
        public ProcessedMessages build() {
            return new ProcessedMessages(this);
        }
    }
}
