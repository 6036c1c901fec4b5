package dev.flotilla.messaging.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.InJvmBroker;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingHeaders;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox on a real nats-server and real H2 and PostgreSQL databases: what a rolled-back transaction wrote is never
 * published, every committed row reaches the stream once (counted per message id by a ledger that sees every publish
 * and every stored message, so a double would show), the relay carries on after nats-server was down, and two relays
 * on one PostgreSQL table publish each row once.
 */
class OutboxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String STREAM = "ORDERS";

    public record OrderPlaced(String orderId, int quantity) {
    }

    private NatsServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = NatsServer.start();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        server.close();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closeables.add(resource);
        return resource;
    }

    private Messaging messaging(StreamDefinition.Storage storage) {
        return closing(Messaging.builder().serviceName("order-service")
                               .nats(NatsSettings.builder().server(server.url()).build())
                               .addStream(StreamDefinition.builder(STREAM).addSubject("orders.>").storage(storage)
                                                  .build())
                               .build());
    }

    private TestDatabase database(TestDatabase.Kind kind) throws Exception {
        TestDatabase db = closing(TestDatabase.create(kind));
        db.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY, quantity INT NOT NULL)");
        return db;
    }

    /** One transaction: the order row and its event, committed or rolled back. */
    private static void placeOrder(TestDatabase db, Outbox outbox, String orderId, boolean commit) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO orders (id, quantity) VALUES (?, ?)")) {
                insert.setString(1, orderId);
                insert.setInt(2, 1);
                insert.executeUpdate();
            }
            outbox.add(c, "orders.order-placed.v1", new OrderPlaced(orderId, 1), "order-placed-" + orderId);
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
        }
    }

    private static Map<String, Integer> onceEach(Set<String> ids) {
        Map<String, Integer> expected = new HashMap<>();
        ids.forEach(id -> expected.put(id, 1));
        return expected;
    }

    @ParameterizedTest
    @CsvSource({"H2, PT0S", "H2, PT1H", "POSTGRES, PT0S", "POSTGRES, PT1H"})
    void publishesEveryCommittedEventOnceAndNothingOfARolledBackTransaction(TestDatabase.Kind kind, Duration retention)
            throws Exception {
        TestDatabase db = database(kind);
        Messaging messaging = messaging(StreamDefinition.Storage.MEMORY);
        StreamLedger ledger = closing(new StreamLedger(server.url(), STREAM, "orders.>"));
        Outbox outbox = closing(Outbox.builder(db.dataSource(), messaging).batchSize(7).window(4).retention(retention)
                                        .build());

        Set<String> committed = new TreeSet<>();
        CallContext.Scope scope = CallContext.of("order-service", "corr-outbox-1").open();
        try {
            for (int i = 0; i < 60; i++) {
                boolean commit = i % 3 != 0;
                placeOrder(db, outbox, "o" + i, commit);
                if (commit) {
                    committed.add("order-placed-o" + i);
                }
            }
        } finally {
            scope.close();
        }

        Await.until(WAIT, () -> ledger.storedCount() >= committed.size(),
                    () -> "every committed event in the stream, had " + ledger.stored().keySet());
        Await.until(WAIT, () -> outbox.pending() == 0, () -> "no row pending, had " + outbox.pending());
        // exactly the committed events, each published once and stored once: nothing of the rolled-back ones
        Await.until(WAIT, () -> ledger.published().size() >= committed.size(), "every publish seen");
        assertEquals(onceEach(committed), ledger.stored());
        assertEquals(onceEach(committed), ledger.published());
        assertEquals(committed.size(), outbox.published());
        assertEquals(committed.size(), db.queryLong("SELECT COUNT(*) FROM orders"));
        // published rows are deleted at once, or kept marked sent for the retention
        assertEquals(retention.isZero() ? 0 : committed.size(),
                     db.queryLong("SELECT COUNT(*) FROM " + Outbox.DEFAULT_TABLE + " WHERE sent_at IS NOT NULL"));
        // the event carries the call context it was written in
        assertEquals("corr-outbox-1", ledger.storedHeader("order-placed-o1", MessagingHeaders.CORRELATION_ID));
    }

    @Test
    void carriesOnAfterNatsServerWasDownAndPublishesWhatWasCommittedMeanwhile() throws Exception {
        TestDatabase db = database(TestDatabase.Kind.H2);
        Messaging messaging = messaging(StreamDefinition.Storage.FILE);
        Outbox outbox = closing(Outbox.builder(db.dataSource(), messaging).batchSize(10).build());
        Set<String> committed = new TreeSet<>();
        for (int i = 0; i < 30; i++) {
            placeOrder(db, outbox, "a" + i, true);
            committed.add("order-placed-a" + i);
        }
        StreamLedger before = new StreamLedger(server.url(), STREAM, "orders.>");
        Await.until(WAIT, () -> before.storedCount() >= committed.size(), "the first events stored");
        before.close();

        server.stop();
        for (int i = 0; i < 30; i++) {
            placeOrder(db, outbox, "b" + i, true);
            committed.add("order-placed-b" + i);
        }
        assertEquals(30, outbox.pending(), "nothing can be published while nats-server is down");
        server.restart();

        StreamLedger ledger = closing(new StreamLedger(server.url(), STREAM, "orders.>"));
        Await.until(WAIT, () -> ledger.storedCount() >= committed.size(),
                    () -> "every event in the stream after the restart, had " + ledger.storedCount());
        Await.until(WAIT, () -> outbox.pending() == 0, () -> "no row pending, had " + outbox.pending());
        // whatever the relay published again after failed acks, the stream stored each event once
        assertEquals(onceEach(committed), ledger.stored());
    }

    @ParameterizedTest
    @CsvSource({"PT0S", "PT1H"})
    void twoRelaysOnOnePostgresTablePublishEachRowOnce(Duration retention) throws Exception {
        TestDatabase db = database(TestDatabase.Kind.POSTGRES);
        Messaging first = messaging(StreamDefinition.Storage.MEMORY);
        Messaging second = closing(Messaging.builder().serviceName("order-service")
                                           .nats(NatsSettings.builder().server(server.url()).build()).build());
        StreamLedger ledger = closing(new StreamLedger(server.url(), STREAM, "orders.>"));
        Outbox a = closing(Outbox.builder(db.dataSource(), first).batchSize(20).window(16).retention(retention)
                                   .build());
        Outbox b = closing(Outbox.builder(db.dataSource(), second).batchSize(20).window(16).retention(retention)
                                   .build());

        Set<String> committed = ConcurrentHashMap.newKeySet();
        for (int t = 0; t < 60; t++) {
            Outbox writer = t % 2 == 0 ? a : b;
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                for (int i = 0; i < 20; i++) {
                    String id = "e" + t + "-" + i;
                    writer.add(c, "orders.order-placed.v1", new OrderPlaced(id, i), id);
                    committed.add(id);
                }
                c.commit();
            }
        }

        Await.until(WAIT, () -> ledger.storedCount() >= committed.size(),
                    () -> "every event stored, had " + ledger.storedCount() + " of " + committed.size());
        Await.until(WAIT, () -> a.published() + b.published() == committed.size(),
                    () -> "both relays together acknowledged " + (a.published() + b.published()));
        // each row was published by one relay only: every publish was seen, not just the one the stream kept
        Await.until(WAIT, () -> ledger.published().size() >= committed.size(), "every publish seen");
        assertEquals(onceEach(committed), ledger.published());
        assertEquals(onceEach(committed), ledger.stored());
        assertTrue(a.published() > 0 && b.published() > 0,
                   "both relays took part: " + a.published() + " and " + b.published());
    }

    @Test
    void publishesInMemoryOnTheInJvmTransport() throws Exception {
        TestDatabase db = database(TestDatabase.Kind.H2);
        Messaging messaging = closing(Messaging.builder().serviceName("order-service").inJvm(new InJvmBroker())
                                              .build());
        Map<String, String> received = new ConcurrentHashMap<>();
        messaging.subscribe("orders.order-placed.v1", OrderPlaced.class,
                            m -> received.put(m.payload().orderId(), m.header(MessagingHeaders.MESSAGE_ID).orElse("")));
        Outbox outbox = closing(Outbox.builder(db.dataSource(), messaging).build());
        placeOrder(db, outbox, "x1", true);
        placeOrder(db, outbox, "x2", false);
        Await.until(WAIT, () -> received.containsKey("x1"), "the committed event delivered");
        Await.until(WAIT, () -> outbox.pending() == 0, "no row pending");
        assertEquals(Map.of("x1", "order-placed-x1"), received);
    }

    @Test
    void refusesInvalidInputBeforeWritingAnything() throws Exception {
        TestDatabase db = database(TestDatabase.Kind.H2);
        Messaging messaging = closing(Messaging.builder().serviceName("order-service").inJvm(new InJvmBroker())
                                              .build());
        Outbox outbox = closing(Outbox.builder(db.dataSource(), messaging).build());
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            OrderPlaced event = new OrderPlaced("o", 1);
            assertThrows(IllegalArgumentException.class, () -> outbox.add(c, "orders.*", event, "id1"));
            assertThrows(IllegalArgumentException.class, () -> outbox.add(c, "orders.x", event, "has space"));
            assertThrows(IllegalArgumentException.class,
                         () -> outbox.add(c, "orders.x", event, "id2", Map.of(MessagingHeaders.MESSAGE_ID, "x")));
            outbox.add(c, "orders.x", event, "id3");
            assertThrows(java.sql.SQLException.class, () -> outbox.add(c, "orders.x", event, "id3"),
                         "a message id is unique in the outbox");
            c.rollback();
        }
        assertThrows(IllegalArgumentException.class, () -> Outbox.builder(db.dataSource(), messaging)
                .table("x; DROP TABLE orders"));
    }
}
