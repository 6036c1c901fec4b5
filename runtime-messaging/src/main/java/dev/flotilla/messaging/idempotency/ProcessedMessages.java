package dev.flotilla.messaging.idempotency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import dev.flotilla.messaging.Envelope;
import dev.flotilla.messaging.MessageHandler;
import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.MessagingHeaders;

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

    private static final Pattern NAME = Pattern.compile("([A-Za-z][A-Za-z0-9_]{0,62}\\.)?[A-Za-z][A-Za-z0-9_]{0,62}");
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final String table;
    private final boolean postgres;
    private final String insert;

    private ProcessedMessages(Builder builder) {
        this.dataSource = builder.dataSource;
        this.table = builder.table;
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            this.postgres = product.contains("postgres");
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS " + table + " (consumer VARCHAR(255) NOT NULL, "
                        + "message_id VARCHAR(255) NOT NULL, processed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT "
                        + "CURRENT_TIMESTAMP, PRIMARY KEY (consumer, message_id))");
            } catch (SQLException e) {
                // PostgreSQL: another instance created it at the same moment
                if (!UNIQUE_VIOLATION.equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                    throw e;
                }
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new MessagingException("Cannot create the table " + table + ": " + e.getMessage(), e);
        }
        // PostgreSQL skips a duplicate without an error (which would abort the transaction); elsewhere a savepoint
        // takes the failed insert back
        this.insert = "INSERT INTO " + table + " (consumer, message_id) VALUES (?, ?)"
                + (postgres ? " ON CONFLICT DO NOTHING" : "");
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
        Objects.requireNonNull(transaction, "transaction");
        check(consumer, "consumer");
        check(messageId, "messageId");
        if (postgres) {
            return insert(transaction, consumer, messageId);
        }
        Savepoint savepoint = transaction.getAutoCommit() ? null : transaction.setSavepoint();
        try {
            boolean inserted = insert(transaction, consumer, messageId);
            if (savepoint != null) {
                transaction.releaseSavepoint(savepoint);
            }
            return inserted;
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            if (savepoint != null) {
                transaction.rollback(savepoint);
            }
            return false;
        }
    }

    private boolean insert(Connection connection, String consumer, String messageId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            statement.setString(1, consumer);
            statement.setString(2, messageId);
            return statement.executeUpdate() == 1;
        }
    }

    private static String check(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank() || value.length() > 255) {
            throw new IllegalArgumentException(what + " must be 1 to 255 characters and not blank, was '" + value
                    + "'");
        }
        return value;
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
        return handler(consumer, message -> message.header(MessagingHeaders.MESSAGE_ID).orElseThrow(
                () -> new IllegalArgumentException("The message on '" + message.subject() + "' has no "
                        + MessagingHeaders.MESSAGE_ID + " header, so it cannot be applied once")), effect);
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
        check(consumer, "consumer");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(effect, "effect");
        return message -> {
            String id = messageId.apply(message);
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("The message on '" + message.subject() + "' has no id");
            }
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    // the mark first: a concurrent delivery of the same message waits here for this one's outcome
                    if (markProcessed(connection, consumer, id)) {
                        effect.handle(connection, message);
                    }
                    connection.commit();
                } catch (Throwable e) {
                    try {
                        connection.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                    throw e;
                }
            }
        };
    }

    /**
     * The table name.
     *
     * @return the table
     */
    public String table() {
        return table;
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
        private String table = DEFAULT_TABLE;

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
            if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
                throw new IllegalArgumentException("A table name must be an SQL identifier (letters, digits and _, "
                        + "starting with a letter, optionally schema.table), was '" + name + "'");
            }
            this.table = name;
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
