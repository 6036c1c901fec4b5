package dev.flotilla.benchmarks.suite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.flotilla.core.json.JsonMapping;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.outbox.Outbox;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Scenario 12: the transactional outbox's relay draining rows already written to an H2 table into a JetStream stream
 * (file storage, the same as scenario 4's), against raw jnats {@code JetStream.publishAsync} of the same messages with
 * the same window of outstanding acks, and against Flotilla's synchronous {@code publishDurable} (one publish, one ack
 * at a time). Each round runs the three sides in an order that alternates, on a stream purged before each side; the
 * relay's time runs from the outbox's start until the last row is acknowledged (it reads, publishes and marks every
 * row sent in that time); the rows are written before, in one transaction, and not timed.
 *
 * <pre>
 * java -XX:+UseG1GC -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *      dev.flotilla.benchmarks.suite.OutboxRelayScenario 4
 * </pre>
 *
 * <p>Writes {@code MEASURE} lines (messages per second) for the rows {@code 12.vs-async} (raw: jnats publishAsync)
 * and {@code 12.vs-sync} (raw: synchronous publishDurable), the relay being the Flotilla side of both.
 */
public final class OutboxRelayScenario {
    static final int WINDOW = 256;
    static final int BATCH = 500;
    private static final String STREAM = "OUTBOX_BENCH";
    private static final String SUBJECT = "bench.outbox.order-placed.v1";

    /** A small event, about 130 bytes of JSON like the other messaging scenarios' events. */
    public record OrderPlaced(String orderId, String customerId, int quantity, long totalCents, String status) {
    }

    private OutboxRelayScenario() {
    }

    /**
     * Runs the rounds.
     *
     * @param args the number of rounds, then optionally the rows per round
     * @throws Exception when a side cannot be run
     */
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
        int syncMessages = Math.max(rows / 20, 1_000);
        try (NatsServer server = NatsServer.start();
             Messaging messaging = Messaging.builder().serviceName("bench-outbox")
                     .nats(NatsSettings.builder().server(server.url()).build())
                     .addStream(StreamDefinition.builder(STREAM).addSubject("bench.outbox.>").build()).build();
             io.nats.client.Connection raw = Nats.connect(server.url())) {
            JetStreamManagement jsm = raw.jetStreamManagement();
            JetStream js = raw.jetStream();
            byte[] payload = JsonMapping.newMapper().writeValueAsBytes(
                    new OrderPlaced(UUID.randomUUID().toString(), "customer-42", 3, 12_999, "PLACED"));
            // warm-up: every side twice, not counted
            for (int i = 0; i < 2; i++) {
                relay(messaging, jsm, rows / 2, "warm" + i, new ArrayList<>());
                rawAsync(js, jsm, payload, rows / 2, "warm" + i, new ArrayList<>());
                sync(messaging, jsm, syncMessages / 4, "warm" + i);
            }
            // the JVM's CPU time per message of each counted run of a side, in µs
            List<Double> relayCpu = new ArrayList<>();
            List<Double> rawCpu = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                String tag = "r" + round;
                double relay;
                double async;
                double sync;
                if (round % 2 == 1) {
                    async = rawAsync(js, jsm, payload, rows, tag, rawCpu);
                    relay = relay(messaging, jsm, rows, tag, relayCpu);
                    sync = sync(messaging, jsm, syncMessages, tag);
                } else {
                    sync = sync(messaging, jsm, syncMessages, tag);
                    relay = relay(messaging, jsm, rows, tag, relayCpu);
                    async = rawAsync(js, jsm, payload, rows, tag, rawCpu);
                }
                measure("12.vs-async", round, "raw", async);
                measure("12.vs-async", round, "flotilla", relay);
                measure("12.vs-sync", round, "raw", sync);
                measure("12.vs-sync", round, "flotilla", relay);
                System.err.printf(Locale.ROOT, "outbox round %d: relay %.0f, raw publishAsync %.0f, sync %.0f msg/s%n",
                                  round, relay, async, sync);
            }
            System.out.println("NOTE\t12.vs-async\t" + rows + " rows of " + payload.length + " bytes per round, window "
                    + WINDOW + " acks, relay batches of " + BATCH + " rows, stream with file storage");
            System.out.printf(Locale.ROOT, "NOTE\t12.vs-async\tthe JVM's CPU time per message (median of the rounds; "
                    + "the nats-server's not counted): relay %.1f µs (reading, publishing, deleting each row), raw "
                    + "publishAsync %.1f µs%n", Suite.median(relayCpu), Suite.median(rawCpu));
            System.out.println("NOTE\t12.vs-sync\tsynchronous side: " + syncMessages + " publishDurable calls per round, "
                    + "one after the other");
        }
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The JVM's CPU time per message since {@code since}, in µs. */
    private static double cpuPerMessage(long since, int count) {
        return (cpu() - since) / 1e3 / count;
    }

    private static void measure(String row, int round, String side, double value) {
        System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\t%s\t%.6f%n", row, round, side, value);
    }

    private static void purge(JetStreamManagement jsm) throws Exception {
        jsm.purgeStream(STREAM);
    }

    /** Raw jnats: publishAsync with at most WINDOW acks outstanding; msg/s until the last ack. */
    static double rawAsync(JetStream js, JetStreamManagement jsm, byte[] payload, int count, String tag,
                           List<Double> cpuPerMessage)
            throws Exception {
        purge(jsm);
        Semaphore window = new Semaphore(WINDOW);
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(count);
        long cpuStart = cpu();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            window.acquire();
            CompletableFuture<PublishAck> ack = js.publishAsync(SUBJECT, null, payload,
                    PublishOptions.builder().messageId("raw-" + tag + "-" + i).build());
            ack.whenComplete((a, e) -> window.release());
            acks.add(ack);
        }
        for (CompletableFuture<PublishAck> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        cpuPerMessage.add(cpuPerMessage(cpuStart, count));
        return rate;
    }

    /** Flotilla's synchronous durable publish, one after the other. */
    static double sync(Messaging messaging, JetStreamManagement jsm, int count, String tag) throws Exception {
        purge(jsm);
        OrderPlaced event = new OrderPlaced(UUID.randomUUID().toString(), "customer-42", 3, 12_999, "PLACED");
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            messaging.publishDurable(SUBJECT, event, "sync-" + tag + "-" + i);
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** The relay: rows written first (not timed), then msg/s from the outbox's start until all are acknowledged. */
    static double relay(Messaging messaging, JetStreamManagement jsm, int count, String tag,
                        List<Double> cpuPerMessage) throws Exception {
        purge(jsm);
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:outbox-" + tag + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        try (Connection keep = h2.getConnection()) {
            // an outbox built and closed at once creates the table; the rows are then written as add() writes
            // them, with no relay running
            Outbox.builder(h2, messaging).build().close();
            keep.setAutoCommit(false);
            OrderPlaced event = new OrderPlaced(UUID.randomUUID().toString(), "customer-42", 3, 12_999, "PLACED");
            writeRows(keep, event, count, tag);
            keep.commit();
            long cpuStart = cpu();
            long start = System.nanoTime();
            try (Outbox outbox = Outbox.builder(h2, messaging).window(WINDOW).batchSize(BATCH).build()) {
                while (outbox.published() < count) {
                    LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
                    if (System.nanoTime() - start > Duration.ofMinutes(2).toNanos()) {
                        throw new IllegalStateException("relay published " + outbox.published() + " of " + count);
                    }
                }
                double rate = count / ((System.nanoTime() - start) / 1e9);
                cpuPerMessage.add(cpuPerMessage(cpuStart, count));
                long left = outbox.pending();
                if (left != 0) {
                    throw new IllegalStateException(left + " rows not marked sent");
                }
                return rate;
            } finally {
                try (Statement s = keep.createStatement()) {
                    s.execute("SHUTDOWN");
                }
            }
        }
    }

    /** Rows as {@code Outbox.add} writes them (JSON payload, no headers). */
    private static void writeRows(Connection connection, OrderPlaced event, int count, String tag) throws Exception {
        byte[] payload = JsonMapping.newMapper().writeValueAsBytes(event);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + Outbox.DEFAULT_TABLE + " (message_id, subject, payload) VALUES (?, ?, ?)")) {
            for (int i = 0; i < count; i++) {
                insert.setString(1, "relay-" + tag + "-" + i);
                insert.setString(2, SUBJECT);
                insert.setBytes(3, payload);
                insert.addBatch();
                if (i % 1000 == 999) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
    }
}
