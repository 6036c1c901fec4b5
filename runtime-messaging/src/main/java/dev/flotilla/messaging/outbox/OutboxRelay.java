package dev.flotilla.messaging.outbox;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.flotilla.core.json.JsonMapping;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay of one outbox, on a virtual thread of its own. It claims a batch of unsent rows (in id order, locked in
 * its transaction so other relays skip them), publishes them asynchronously with at most {@code window} acks
 * outstanding, and while the stream acknowledges them claims the next batch on a second connection; once a batch's
 * acks are in, it marks the acknowledged rows sent and commits. A failure (a publish not acknowledged, the database
 * away) leaves the rows unsent for the next round, after a backoff. Rows committed late with a lower id than a batch
 * in flight are found by the next claim made with nothing in flight.
 */
final class OutboxRelay {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    /** After a transaction of this JVM added rows, the relay polls quickly for this long, waiting for its commit. */
    private static final long HINT_WINDOW_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long FAST_POLL_MIN_NANOS = Duration.ofMillis(1).toNanos();
    private static final long FAST_POLL_MAX_NANOS = Duration.ofMillis(50).toNanos();
    /** How long a batch waits for its acks; jnats fails an unanswered publish well before (request cleanup). */
    private static final Duration ACK_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final OutboxTable table;
    private final Messaging messaging;
    private final boolean inJvm;
    private final int batchSize;
    private final long pollNanos;
    private final Duration retention;
    private final long purgeEveryNanos;
    private final Semaphore permits;
    private final LongAdder published;
    private final ObjectReader headerReader = JsonMapping.newMapper()
            .readerFor(new TypeReference<Map<String, String>>() { });
    private final Connection[] connections = new Connection[2];
    private volatile boolean running = true;
    private volatile long hintedAt;
    private volatile Thread thread;
    private long nextPurge;
    private boolean failing;

    OutboxRelay(DataSource dataSource, OutboxTable table, Messaging messaging, int window, int batchSize,
                Duration pollInterval, Duration retention, LongAdder published) {
        this.dataSource = dataSource;
        this.table = table;
        this.messaging = messaging;
        this.inJvm = "in-jvm".equals(messaging.transport());
        this.batchSize = batchSize;
        this.pollNanos = pollInterval.toNanos();
        this.retention = retention;
        this.purgeEveryNanos = Math.clamp(retention.toNanos(), Duration.ofSeconds(1).toNanos(),
                                          Duration.ofMinutes(1).toNanos());
        this.permits = new Semaphore(window);
        this.published = published;
        if (inJvm) {
            LOG.warn("Outbox {} relays over the in-JVM transport: messages are published in memory (at-most-once), "
                    + "not to a stream", table.name());
        }
    }

    void start() {
        nextPurge = System.nanoTime();
        thread = Thread.ofVirtual().name("flotilla-outbox-" + table.name()).start(this::run);
    }

    /** Rows were committed: look now. */
    void committed() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Rows were added in a transaction not committed yet: poll quickly for a while. */
    void hint() {
        hintedAt = System.nanoTime();
        committed();
    }

    /** Stops, marking what was acknowledged already; returns whether the relay ended in time. */
    boolean stop() {
        running = false;
        Thread t = thread;
        if (t == null) {
            return true;
        }
        LockSupport.unpark(t);
        try {
            if (!t.join(STOP_WAIT)) {
                t.interrupt();
                return t.join(Duration.ofSeconds(1));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A claimed batch, its connection (in the transaction holding the rows) and its acks. */
    private static final class Batch {
        final Connection connection;
        final List<OutboxTable.Row> rows;
        final CompletableFuture<?>[] acks;
        int submitted;

        Batch(Connection connection, List<OutboxTable.Row> rows) {
            this.connection = connection;
            this.rows = rows;
            this.acks = new CompletableFuture<?>[rows.size()];
        }

        long lastId() {
            return rows.get(rows.size() - 1).id();
        }
    }

    private void run() {
        Batch inFlight = null;
        long backoff = 0;
        boolean pause = false;
        int quietRounds = 0;
        while (running) {
            try {
                if (pause) {
                    pause = false;
                    park(backoff);
                    continue;
                }
                Batch next = claim(inFlight);
                if (next == null) {
                    if (inFlight != null) {
                        pause = !complete(inFlight);
                        inFlight = null;
                    } else {
                        purgeIfDue();
                        awaitWork(quietRounds++);
                    }
                } else {
                    quietRounds = 0;
                    submit(next);
                    pause = inFlight != null && !complete(inFlight);
                    inFlight = next;
                    if (pause) {
                        complete(inFlight);
                        inFlight = null;
                    }
                }
            } catch (InterruptedException e) {
                break;
            } catch (SQLException | RuntimeException e) {
                failed("the database failed: " + e, e);
                inFlight = null;
                closeConnections();
                pause = true;
            }
            backoff = pause ? nextBackoff(backoff) : 0;
        }
        if (inFlight != null) {
            try {
                complete(inFlight);
            } catch (SQLException | InterruptedException | RuntimeException e) {
                LOG.debug("Outbox {}: could not mark the last batch sent while stopping; it is sent again",
                          table.name(), e);
            }
        }
        closeConnections();
    }

    /** Claims the next batch on the connection the batch in flight does not use; {@code null} when none is due. */
    private Batch claim(Batch inFlight) throws SQLException {
        int slot = inFlight != null && inFlight.connection == connections[0] ? 1 : 0;
        Connection connection = connection(slot);
        List<OutboxTable.Row> rows = table.claim(connection, inFlight == null ? 0 : inFlight.lastId(), batchSize);
        if (rows.isEmpty()) {
            connection.rollback();
            return null;
        }
        return new Batch(connection, rows);
    }

    private void submit(Batch batch) throws InterruptedException {
        for (int i = 0; i < batch.rows.size() && running; i++) {
            permits.acquire();
            CompletableFuture<?> ack;
            try {
                ack = publish(batch.rows.get(i));
            } catch (RuntimeException e) {
                ack = CompletableFuture.failedFuture(e);
            }
            batch.acks[i] = ack;
            batch.submitted = i + 1;
            ack.whenComplete((value, error) -> permits.release());
        }
    }

    private CompletableFuture<?> publish(OutboxTable.Row row) {
        Map<String, String> headers = headers(row);
        if (inJvm) {
            Map<String, String> withId = new LinkedHashMap<>(headers);
            withId.put(MessagingHeaders.MESSAGE_ID, row.messageId());
            messaging.publish(row.subject(), row.payload(), withId);
            return CompletableFuture.completedFuture(null);
        }
        return messaging.publishDurableAsync(row.subject(), row.payload(), row.messageId(), headers);
    }

    private Map<String, String> headers(OutboxTable.Row row) {
        if (row.headers() == null) {
            return Map.of();
        }
        try {
            return headerReader.readValue(row.headers());
        } catch (IOException e) {
            throw new IllegalStateException("Outbox row " + row.id() + " has unreadable headers: " + e.getMessage(),
                                            e);
        }
    }

    /**
     * Waits for the batch's acks, marks the acknowledged rows sent and commits. Returns false when a publish
     * failed (its row stays unsent).
     */
    private boolean complete(Batch batch) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + ACK_WAIT.toNanos();
        Long[] acknowledged = new Long[batch.submitted];
        int count = 0;
        Throwable error = null;
        for (int i = 0; i < batch.submitted; i++) {
            try {
                batch.acks[i].get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
                acknowledged[count++] = batch.rows.get(i).id();
            } catch (ExecutionException e) {
                error = error == null ? e.getCause() : error;
            } catch (TimeoutException e) {
                error = error == null ? e : error;
            }
        }
        if (count > 0) {
            table.markSent(batch.connection, count == acknowledged.length ? acknowledged
                    : java.util.Arrays.copyOf(acknowledged, count), Instant.now());
        }
        batch.connection.commit();
        published.add(count);
        if (error != null || count < batch.rows.size()) {
            if (error != null) {
                failed((batch.submitted - count) + " of " + batch.rows.size() + " publishes failed: " + error,
                       error);
            }
            return false;
        }
        if (failing) {
            failing = false;
            LOG.info("Outbox {} publishes again", table.name());
        }
        return true;
    }

    private void failed(String what, Throwable error) {
        if (!failing) {
            failing = true;
            LOG.warn("Outbox {}: {}; retrying with backoff", table.name(), what);
        } else {
            LOG.debug("Outbox {}: {}", table.name(), what, error);
        }
    }

    private void purgeIfDue() throws SQLException {
        if (System.nanoTime() - nextPurge < 0) {
            return;
        }
        nextPurge = System.nanoTime() + purgeEveryNanos;
        Connection connection = connection(0);
        int purged = table.purge(connection, Instant.now().minus(retention));
        connection.commit();
        if (purged > 0) {
            LOG.debug("Outbox {}: purged {} sent rows", table.name(), purged);
        }
    }

    private void awaitWork(int quietRounds) {
        long sinceHint = System.nanoTime() - hintedAt;
        long wait = sinceHint >= 0 && sinceHint < HINT_WINDOW_NANOS
                ? Math.min(FAST_POLL_MIN_NANOS << Math.min(quietRounds, 20), FAST_POLL_MAX_NANOS) : pollNanos;
        park(wait);
    }

    private void park(long nanos) {
        if (running) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    private static long nextBackoff(long backoff) {
        return backoff == 0 ? MIN_BACKOFF.toNanos() : Math.min(backoff * 2, MAX_BACKOFF.toNanos());
    }

    private Connection connection(int slot) throws SQLException {
        Connection connection = connections[slot];
        if (connection == null) {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            connections[slot] = connection;
        }
        return connection;
    }

    private void closeConnections() {
        for (int i = 0; i < connections.length; i++) {
            Connection connection = connections[i];
            connections[i] = null;
            if (connection != null) {
                try {
                    connection.rollback();
                } catch (SQLException e) {
                    LOG.debug("Outbox {}: rollback failed", table.name(), e);
                }
                try {
                    connection.close();
                } catch (SQLException e) {
                    LOG.debug("Outbox {}: close failed", table.name(), e);
                }
            }
        }
    }
}
