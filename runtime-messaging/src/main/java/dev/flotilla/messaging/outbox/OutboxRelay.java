package dev.flotilla.messaging.outbox;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The relay of one outbox: three virtual threads in a pipeline. The claimer takes a batch of unsent rows in id order
 * (on PostgreSQL locked in the batch's transaction, so other relays skip them) and then the next one after it; the
 * publisher publishes each batch asynchronously with at most {@code window} acks outstanding; the marker waits for a
 * batch's acks, deletes the acknowledged rows (or, with a retention, marks them sent) and commits. Each batch in flight has a connection of its own, at most {@value #PIPELINE} at once. A failure (a publish not
 * acknowledged, the database away) leaves rows unsent: the claimer lets the pipeline empty, backs off, and claims
 * from the lowest id again. It does so too whenever it finds nothing after the last batch, and at least every poll
 * interval under steady load, so rows committed late with a lower id than a batch in flight are not left behind.
 */
final class OutboxRelay {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    static final int PIPELINE = 3;
    private static final long MIN_BACKOFF = Duration.ofMillis(50).toNanos();
    private static final long MAX_BACKOFF = Duration.ofSeconds(2).toNanos();
    /** After a transaction of this JVM added rows, the relay polls quickly for this long, waiting for its commit. */
    private static final long HINT_WINDOW = Duration.ofSeconds(2).toNanos();
    private static final long FAST_POLL_MIN = Duration.ofMillis(1).toNanos();
    private static final long FAST_POLL_MAX = Duration.ofMillis(50).toNanos();
    /** How long a batch waits for its acks; jnats fails an unanswered publish well before (request cleanup). */
    private static final long ACK_WAIT = Duration.ofSeconds(30).toNanos();
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private static final Batch STOP = new Batch(null, List.of());

    private final OutboxTable table;
    private final Messaging messaging;
    private final boolean inJvm;
    private final int batchSize;
    private final long pollNanos;
    private final Duration retention;
    private final long purgeEvery;
    private final Semaphore window;
    private final RelayConnections connections;
    private final BlockingQueue<Batch> toPublish = new LinkedBlockingQueue<>();
    private final BlockingQueue<Batch> toMark = new LinkedBlockingQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder published;
    private final ObjectReader headerReader = JsonMapping.newMapper()
            .readerFor(new TypeReference<Map<String, String>>() { });
    private volatile boolean running = true;
    private volatile boolean failed;
    private volatile boolean failing;
    private volatile long hintedAt = System.nanoTime() - HINT_WINDOW;
    private volatile Thread claimer;
    private volatile Thread publisher;
    private volatile Thread marker;
    private long nextPurge;

    OutboxRelay(DataSource dataSource, OutboxTable table, Messaging messaging, int window, int batchSize,
                Duration pollInterval, Duration retention, LongAdder published) {
        this.table = table;
        this.messaging = messaging;
        this.inJvm = "in-jvm".equals(messaging.transport());
        this.batchSize = batchSize;
        this.pollNanos = pollInterval.toNanos();
        this.retention = retention;
        this.purgeEvery = Math.clamp(retention.toNanos(), Duration.ofSeconds(1).toNanos(),
                                     Duration.ofMinutes(1).toNanos());
        this.window = new Semaphore(window);
        this.connections = new RelayConnections(dataSource, PIPELINE, table.name());
        this.published = published;
        if (inJvm) {
            LOG.warn("Outbox {} relays over the in-JVM transport: messages are published in memory (at-most-once), "
                    + "not to a stream", table.name());
        }
    }

    void start() {
        nextPurge = System.nanoTime();
        marker = Thread.ofVirtual().name("flotilla-outbox-mark-" + table.name()).start(this::mark);
        publisher = Thread.ofVirtual().name("flotilla-outbox-publish-" + table.name()).start(this::publish);
        claimer = Thread.ofVirtual().name("flotilla-outbox-claim-" + table.name()).start(this::claim);
    }

    /** Rows were committed: look now. */
    void committed() {
        Thread t = claimer;
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
        committed();
        try {
            boolean ended = join(claimer) && join(publisher) && join(marker);
            connections.close();
            return ended;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean join(Thread thread) throws InterruptedException {
        if (thread == null) {
            return true;
        }
        if (!thread.join(STOP_WAIT)) {
            thread.interrupt();
            return thread.join(Duration.ofSeconds(1));
        }
        return true;
    }

    /** A claimed batch, the connection whose transaction holds it, and its acks. */
    private record Batch(Connection connection, List<OutboxTable.Row> rows, CompletableFuture<?>[] acks,
                         int[] submitted) {
        Batch(Connection connection, List<OutboxTable.Row> rows) {
            this(connection, rows, new CompletableFuture<?>[rows.size()], new int[1]);
        }

        long lastId() {
            return rows.get(rows.size() - 1).id();
        }
    }

    // ---- the claimer

    private void claim() {
        long backoff = 0;
        long after = 0;
        long nextFullScan = System.nanoTime() + pollNanos;
        int quietRounds = 0;
        try {
            while (running) {
                if (failed) {
                    drainPipeline();
                    failed = false;
                    backoff = backoff == 0 ? MIN_BACKOFF : Math.min(backoff * 2, MAX_BACKOFF);
                    park(backoff);
                    after = 0;
                    continue;
                }
                if (after > 0 && System.nanoTime() - nextFullScan > 0) {
                    drainPipeline(); // then from the lowest id: rows committed late behind the batches in flight
                    after = 0;
                }
                if (after == 0) {
                    nextFullScan = System.nanoTime() + pollNanos;
                }
                Batch batch = claimBatch(after);
                if (batch == null) {
                    if (after > 0) {
                        drainPipeline();
                        after = 0;
                        continue;
                    }
                    if (!failed) {
                        backoff = 0;
                        purgeIfDue();
                        awaitWork(quietRounds++);
                    }
                    continue;
                }
                quietRounds = 0;
                after = batch.lastId();
                inFlight.incrementAndGet();
                toPublish.add(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            toPublish.add(STOP);
        }
    }

    // ---- the publisher

    private void publish() {
        try {
            while (true) {
                Batch batch = toPublish.take();
                if (batch == STOP) {
                    break;
                }
                try {
                    submit(batch);
                } finally {
                    toMark.add(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            toMark.add(STOP);
        }
    }

    /** The next batch after {@code after} on a connection of its own; {@code null} when none is due or on failure. */
    private Batch claimBatch(long after) throws InterruptedException {
        Connection connection = null;
        try {
            connection = connections.acquire();
            List<OutboxTable.Row> rows = table.claim(connection, after, batchSize);
            if (!rows.isEmpty()) {
                return new Batch(connection, rows);
            }
            connection.rollback();
            connections.release(connection, true);
            return null;
        } catch (SQLException | RuntimeException e) {
            failed("the database failed: " + e, e);
            if (connection != null) {
                connections.release(connection, false);
            }
            failed = true;
            return null;
        }
    }

    private void submit(Batch batch) throws InterruptedException {
        List<OutboxTable.Row> rows = batch.rows();
        for (int i = 0; i < rows.size() && running; i++) {
            window.acquire();
            CompletableFuture<?> ack;
            try {
                ack = publish(rows.get(i));
            } catch (RuntimeException e) {
                ack = CompletableFuture.failedFuture(e);
            }
            batch.acks()[i] = ack;
            batch.submitted()[0] = i + 1;
            ack.whenComplete((value, error) -> window.release());
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

    /** Waits until the marker has finished every batch in flight. */
    private void drainPipeline() throws InterruptedException {
        while (inFlight.get() > 0) {
            LockSupport.parkNanos(this, FAST_POLL_MAX);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private void purgeIfDue() throws InterruptedException {
        if (retention.isZero() || System.nanoTime() - nextPurge < 0) {
            return;
        }
        nextPurge = System.nanoTime() + purgeEvery;
        Connection connection = null;
        try {
            connection = connections.acquire();
            int purged = table.purge(connection, Instant.now().minus(retention));
            connection.commit();
            LOG.debug("Outbox {}: purged {} sent rows", table.name(), purged);
            connections.release(connection, true);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Outbox {}: could not purge sent rows: {}", table.name(), e.toString());
            if (connection != null) {
                connections.release(connection, false);
            }
        }
    }

    private void awaitWork(int quietRounds) {
        long sinceHint = System.nanoTime() - hintedAt;
        park(sinceHint >= 0 && sinceHint < HINT_WINDOW
                     ? Math.min(FAST_POLL_MIN << Math.min(quietRounds, 20), FAST_POLL_MAX) : pollNanos);
    }

    private void park(long nanos) {
        if (running) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    // ---- the marker

    private void mark() {
        while (true) {
            Batch batch;
            try {
                batch = toMark.take();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == STOP) {
                return;
            }
            boolean reusable = true;
            try {
                if (!complete(batch)) {
                    failed = true;
                }
            } catch (SQLException | RuntimeException e) {
                failed("the database failed: " + e, e);
                failed = true;
                reusable = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reusable = false;
            }
            connections.release(batch.connection(), reusable);
            inFlight.decrementAndGet();
            LockSupport.unpark(claimer);
        }
    }

    /**
     * Waits for the batch's acks, marks the acknowledged rows sent and commits. Returns false when a publish
     * failed or was not made (its row stays unsent).
     */
    private boolean complete(Batch batch) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + ACK_WAIT;
        int submitted = batch.submitted()[0];
        Long[] acknowledged = new Long[submitted];
        int count = 0;
        Throwable error = null;
        for (int i = 0; i < submitted; i++) {
            try {
                batch.acks()[i].get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
                acknowledged[count++] = batch.rows().get(i).id();
            } catch (ExecutionException e) {
                error = error == null ? e.getCause() : error;
            } catch (TimeoutException e) {
                error = error == null ? e : error;
            }
        }
        Connection connection = batch.connection();
        Long[] ids = count == submitted ? acknowledged : Arrays.copyOf(acknowledged, count);
        if (count > 0) {
            if (retention.isZero()) {
                table.delete(connection, ids);
            } else {
                table.markSent(connection, ids, Instant.now());
            }
        }
        connection.commit();
        published.add(count);
        if (error != null) {
            failed((submitted - count) + " of " + batch.rows().size() + " publishes failed: " + error, error);
            return false;
        }
        if (count < batch.rows().size()) {
            return false; // stopping
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
}
