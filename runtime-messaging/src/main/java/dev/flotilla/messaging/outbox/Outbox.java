package dev.flotilla.messaging.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import javax.sql.DataSource;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingException;
import io.helidon.metrics.api.MeterRegistry;

/**
 * A transactional outbox: {@link #add} writes an event into a table of the service's database within the caller's
 * JDBC transaction, and a relay publishes the committed rows to JetStream with {@code Nats-Msg-Id} set to the row's
 * message id, then marks them sent. So no event is published unless its transaction commits, and no committed event
 * is lost: a row stays until the stream has acknowledged it (at-least-once; a row published twice, say after a crash
 * between the ack and the mark, is stored once by the stream's duplicate window).
 *
 * <p>The relay runs on one virtual thread per outbox; it reads unsent rows in id order in batches, publishes them
 * asynchronously with at most {@link Builder#window(int)} acks outstanding, through the service's {@link Messaging}
 * (so messages are signed and traced like any other), and retries with backoff when a publish fails. Several
 * instances of a service may share one table: on PostgreSQL each row is claimed by one relay
 * ({@code FOR UPDATE SKIP LOCKED}). The outbox declares no streams: a stream must capture every subject it publishes
 * to. On the in-JVM transport the relay publishes with a plain (core) publish.
 *
 * <p>The table ({@value #DEFAULT_TABLE} by default) is created if missing, on H2 and PostgreSQL. Instances are
 * thread-safe.
 */
public final class Outbox implements AutoCloseable {

    /** The default table name. */
    public static final String DEFAULT_TABLE = "flotilla_outbox";

    private Outbox(Builder builder) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * An outbox whose relay publishes through the service's messaging, counts into the service's metrics and stops
     * when the service stops. Settings are read from the {@code outbox} config node ({@code table}, {@code window},
     * {@code batch-size}, {@code poll-interval}, {@code retention}); the builder's defaults apply to what is absent.
     *
     * @param context    the running service's context; its messaging extension must be started
     * @param dataSource the service's database
     * @return the started outbox
     * @throws IllegalArgumentException if a setting is invalid
     * @throws IllegalStateException    if the service has no messaging
     * @throws MessagingException       if the table cannot be created
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static Outbox of(ServiceContext context, DataSource dataSource) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * A builder for an outbox over a database and a messaging instance.
     *
     * @param dataSource the database holding the outbox table
     * @param messaging  what the relay publishes through
     * @return a new builder
     * @throws NullPointerException if an argument is {@code null}
     */
    public static Builder builder(DataSource dataSource, Messaging messaging) {
        return new Builder(dataSource, messaging);
    }

    /**
     * Adds an event to the outbox within the caller's transaction: it is published after that transaction commits,
     * and never if it rolls back. The event is encoded as JSON now; the current call context's correlation id and
     * trace context are kept with it, so the published message carries them.
     *
     * @param connection the caller's connection, in the transaction that changes the state the event announces
     * @param subject    a concrete subject some stream captures
     * @param event      the event, encoded as JSON ({@code byte[]} is stored as is)
     * @param messageId  the message's {@code Nats-Msg-Id}, unique in the outbox, such as the event's own id: at most
     *                   255 characters, no whitespace or control characters
     * @throws IllegalArgumentException if the subject or message id is invalid
     * @throws MessagingException       if the event cannot be encoded as JSON
     * @throws SQLException             if the row cannot be written, such as when the message id is in the outbox
     *                                  already (on PostgreSQL that aborts the caller's transaction)
     * @throws NullPointerException     if an argument is {@code null}
     */
    public void add(Connection connection, String subject, Object event, String messageId) throws SQLException {
        add(connection, subject, event, messageId, Map.of());
    }

    /**
     * Adds an event with extra headers to the outbox within the caller's transaction; see
     * {@link #add(Connection, String, Object, String)}.
     *
     * @param connection the caller's connection
     * @param subject    a concrete subject some stream captures
     * @param event      the event
     * @param messageId  the message's {@code Nats-Msg-Id}
     * @param headers    headers to send with the message; the call context's headers are added unless given here
     * @throws IllegalArgumentException if the subject, message id or a header is invalid
     * @throws MessagingException       if the event cannot be encoded as JSON
     * @throws SQLException             if the row cannot be written
     * @throws NullPointerException     if an argument is {@code null}
     */
    public void add(Connection connection, String subject, Object event, String messageId,
                    Map<String, String> headers) throws SQLException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * The number of rows not published yet, read from the table.
     *
     * @return the count of unsent rows
     * @throws MessagingException if the table cannot be read
     */
    public long pending() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * The number of messages this outbox's relay has published (acknowledged by the stream) since it started.
     *
     * @return the count
     */
    public long published() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * The table name.
     *
     * @return the table this outbox writes and relays
     */
    public String table() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Stops the relay, waiting briefly for publishes in flight; rows not marked sent are published by the next relay
     * on the table. Idempotent.
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Configures an {@link Outbox}. Not thread-safe.
     */
    public static final class Builder {

        private final DataSource dataSource;
        private final Messaging messaging;

        private Builder(DataSource dataSource, Messaging messaging) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.messaging = Objects.requireNonNull(messaging, "messaging");
        }

        /**
         * Sets the table name; default {@value Outbox#DEFAULT_TABLE}.
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
         * Sets the most publishes whose ack the relay awaits at once; default 256.
         *
         * @param window at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code window} is less than 1
         */
        public Builder window(int window) {
            return this;
        }

        /**
         * Sets how many rows the relay reads, and marks sent, at a time; default 500.
         *
         * @param size at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is less than 1
         */
        public Builder batchSize(int size) {
            return this;
        }

        /**
         * Sets how often an idle relay looks for rows committed by other processes or connections it was not told
         * about; default 1 second. A transaction of this JVM that adds rows wakes the relay sooner.
         *
         * @param interval positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code interval} is {@code null}
         */
        public Builder pollInterval(Duration interval) {
            return this;
        }

        /**
         * Sets how long sent rows stay in the table before they are deleted; default 1 hour.
         *
         * @param retention zero or positive
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws NullPointerException     if {@code retention} is {@code null}
         */
        public Builder retention(Duration retention) {
            return this;
        }

        /**
         * Registers the gauge {@code flotilla.outbox.pending} and the counter {@code flotilla.outbox.published},
         * tagged {@code service} and {@code table}; default: not registered.
         *
         * @param registry the registry
         * @return this builder
         * @throws NullPointerException if {@code registry} is {@code null}
         */
        public Builder metrics(MeterRegistry registry) {
            return this;
        }

        /**
         * Creates the table if missing and starts the relay.
         *
         * @return the started outbox; close it when done
         * @throws MessagingException if the table cannot be created
         */
        public Outbox build() {
            return new Outbox(this);
        }
    }
}
