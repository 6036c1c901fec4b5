package dev.flotilla.messaging.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.json.JsonMapping;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.MessagingHeaders;
import io.helidon.config.Config;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

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

    private static final long PENDING_CACHE_NANOS = Duration.ofSeconds(1).toNanos();

    /** The same JSON settings as messaging's payloads and HTTP bodies. */
    private final ObjectMapper mapper = JsonMapping.newMapper();
    private final Map<Class<?>, ObjectWriter> writers = new ConcurrentHashMap<>();
    private final DataSource dataSource;
    private final OutboxTable table;
    private final OutboxRelay relay;
    private final LongAdder published = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;
    private volatile long pendingReadAt;
    private volatile long pendingCached;

    private Outbox(Builder builder) {
        this.dataSource = builder.dataSource;
        try (Connection connection = dataSource.getConnection()) {
            this.table = new OutboxTable(builder.table, OutboxTable.Dialect.of(connection));
            table.create(connection);
        } catch (SQLException e) {
            throw new MessagingException("Cannot create the outbox table " + builder.table + ": " + e.getMessage(), e);
        }
        this.relay = new OutboxRelay(dataSource, table, builder.messaging, builder.window, builder.batchSize,
                                     builder.pollInterval, builder.retention, published);
        this.registry = builder.metrics;
        if (registry != null) {
            String service = builder.serviceName != null ? builder.serviceName : builder.messaging.serviceName();
            List<Tag> tags = List.of(Tag.create("service", service), Tag.create("table", table.name()));
            meters.add(registry.getOrCreate(Gauge.builder("flotilla.outbox.pending", this, Outbox::pendingForGauge)
                                                    .tags(tags)
                                                    .description("Outbox rows not published yet")));
            meters.add(registry.getOrCreate(FunctionalCounter.builder("flotilla.outbox.published", published,
                                                                      LongAdder::sum)
                                                    .tags(tags)
                                                    .description("Outbox rows published by this relay")));
        }
        relay.start();
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
        Objects.requireNonNull(context, "context");
        Builder builder = builder(dataSource, context.extension(Messaging.class)).config(context.config().get("outbox"))
                .metrics(context.metrics());
        builder.serviceName = context.name();
        return context.closeOnStop(builder.build());
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
     * @param messageId  the message's {@code Nats-Msg-Id}, such as the event's own id: at most 255 characters, no
     *                   whitespace or control characters; unique among the rows in the outbox (not yet published, or
     *                   published within the {@linkplain Builder#retention(Duration) retention})
     * @throws IllegalArgumentException if the subject or message id is invalid
     * @throws MessagingException       if the event cannot be encoded as JSON
     * @throws SQLException             if the row cannot be written, such as when a row with that message id is in
     *                                  the outbox (on PostgreSQL that aborts the caller's transaction)
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
        Objects.requireNonNull(connection, "connection");
        OutboxChecks.subject(subject);
        OutboxChecks.messageId(messageId);
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(headers, "headers");
        if (closed.get()) {
            throw new IllegalStateException("Outbox " + table.name() + " is closed");
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.forEach(OutboxChecks::header);
        CallContext.current().ifPresent(context -> {
            all.putIfAbsent(MessagingHeaders.CORRELATION_ID, context.correlationId());
            context.traceParent().ifPresent(v -> all.putIfAbsent(MessagingHeaders.TRACEPARENT, v));
            context.traceState().ifPresent(v -> all.putIfAbsent(MessagingHeaders.TRACESTATE, v));
        });
        String headerJson;
        try {
            headerJson = all.isEmpty() ? null : mapper.writeValueAsString(all);
        } catch (JsonProcessingException e) {
            throw new MessagingException("Cannot encode headers: " + e.getOriginalMessage(), e);
        }
        table.insert(connection, messageId, subject, headerJson, encode(event));
        if (connection.getAutoCommit()) {
            relay.committed();
        } else {
            relay.hint();
        }
    }

    private byte[] encode(Object event) {
        if (event instanceof byte[] bytes) {
            return bytes;
        }
        try {
            return writers.computeIfAbsent(event.getClass(), mapper::writerFor).writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new MessagingException("Cannot encode " + event.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * The number of rows not published yet, read from the table.
     *
     * @return the count of unsent rows
     * @throws MessagingException if the table cannot be read
     */
    public long pending() {
        try (Connection connection = dataSource.getConnection()) {
            long count = table.countUnsent(connection);
            pendingCached = count;
            pendingReadAt = System.nanoTime();
            return count;
        } catch (SQLException e) {
            throw new MessagingException("Cannot count the rows of outbox " + table.name() + ": " + e.getMessage(), e);
        }
    }

    /** The gauge's value: read at most once a second; -1 when the table cannot be read. */
    private long pendingForGauge() {
        if (System.nanoTime() - pendingReadAt < PENDING_CACHE_NANOS && pendingReadAt != 0) {
            return pendingCached;
        }
        try {
            return pending();
        } catch (MessagingException e) {
            return -1;
        }
    }

    /**
     * The number of messages this outbox's relay has published (acknowledged by the stream) since it started.
     *
     * @return the count
     */
    public long published() {
        return published.sum();
    }

    /**
     * The table name.
     *
     * @return the table this outbox writes and relays
     */
    public String table() {
        return table.name();
    }

    /**
     * Stops the relay, waiting briefly for publishes in flight; rows not marked sent are published by the next relay
     * on the table. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            relay.stop();
            if (registry != null) {
                meters.forEach(registry::remove);
            }
        }
    }

    @Override
    public String toString() {
        return "Outbox[" + table.name() + "]";
    }

    /**
     * Configures an {@link Outbox}. Not thread-safe.
     */
    public static final class Builder {

        private final DataSource dataSource;
        private final Messaging messaging;
        private String table = DEFAULT_TABLE;
        private int window = 256;
        private int batchSize = 500;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration retention = Duration.ZERO;
        private MeterRegistry metrics;
        private String serviceName;

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
            this.table = OutboxTable.checkName(Objects.requireNonNull(name, "name"));
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
            if (window < 1) {
                throw new IllegalArgumentException("window must be at least 1, was " + window);
            }
            this.window = window;
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
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, was " + size);
            }
            this.batchSize = size;
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
            if (Objects.requireNonNull(interval, "interval").isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive, was " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Sets how long published rows stay in the table, marked sent ({@code sent_at}), before they are deleted;
         * default zero: a row is deleted by the transaction that records its publication, which is the cheapest
         * (one write per row instead of two). Keep rows for a while to see what was published when.
         *
         * @param retention zero or positive
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws NullPointerException     if {@code retention} is {@code null}
         */
        public Builder retention(Duration retention) {
            if (Objects.requireNonNull(retention, "retention").isNegative()) {
                throw new IllegalArgumentException("retention must not be negative, was " + retention);
            }
            this.retention = retention;
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
            this.metrics = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Reads the {@code outbox} config node: {@code table}, {@code window}, {@code batch-size},
         * {@code poll-interval} and {@code retention} (durations as ISO-8601, such as {@code PT1S}).
         *
         * @param config the {@code outbox} node; absent keys keep their values
         * @return this builder
         * @throws IllegalArgumentException if a value is invalid
         * @throws NullPointerException     if {@code config} is {@code null}
         */
        public Builder config(Config config) {
            Objects.requireNonNull(config, "config");
            config.get("table").asString().ifPresent(this::table);
            config.get("window").asInt().ifPresent(this::window);
            config.get("batch-size").asInt().ifPresent(this::batchSize);
            config.get("poll-interval").as(Duration.class).ifPresent(this::pollInterval);
            config.get("retention").as(Duration.class).ifPresent(this::retention);
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
