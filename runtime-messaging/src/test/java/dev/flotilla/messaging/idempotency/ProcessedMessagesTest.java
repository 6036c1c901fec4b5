package dev.flotilla.messaging.idempotency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.MessageHandler;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.SubscriptionOptions;
import dev.flotilla.messaging.outbox.TestDatabase;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotent handlers on real H2 and PostgreSQL databases and a real nats-server: a message redelivered after its
 * effect committed (its ack lost, as when the process dies between the commit and the ack) is acknowledged without
 * a second effect. The effect ledger is append-only, so a second effect would show; the same redelivery through a
 * plain handler shows it.
 */
class ProcessedMessagesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    public record Charge(String orderId, long cents) {
    }

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closeables.add(resource);
        return resource;
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDuplicateIsRecognisedAndLeavesTheTransactionUsable(TestDatabase.Kind kind) throws Exception {
        TestDatabase db = closing(TestDatabase.create(kind));
        db.execute("CREATE TABLE effects (id INT PRIMARY KEY)");
        ProcessedMessages processed = ProcessedMessages.create(db.dataSource());
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            assertTrue(processed.markProcessed(c, "charger", "m1"));
            assertFalse(processed.markProcessed(c, "charger", "m1"), "the same id again, same transaction");
            assertTrue(processed.markProcessed(c, "refunder", "m1"), "another consumer's ids are its own");
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO effects (id) VALUES (1)"); // PostgreSQL would refuse after an aborted insert
            }
            c.commit();
        }
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            assertFalse(processed.markProcessed(c, "charger", "m1"), "recorded by the committed transaction");
            c.rollback();
        }
        assertEquals(1, db.queryLong("SELECT COUNT(*) FROM effects"));
        assertEquals(2, db.queryLong("SELECT COUNT(*) FROM " + ProcessedMessages.DEFAULT_TABLE));
    }

    @Test
    void aConcurrentMarkOfTheSameIdWaitsForTheFirstAndIsRefusedWhenItCommits() throws Exception {
        TestDatabase db = closing(TestDatabase.create(TestDatabase.Kind.POSTGRES));
        ProcessedMessages processed = ProcessedMessages.builder(db.dataSource()).table("processed_here").build();
        try (Connection first = db.dataSource().getConnection();
             Connection second = db.dataSource().getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            assertTrue(processed.markProcessed(first, "charger", "m7"));
            CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(() -> {
                try {
                    return processed.markProcessed(second, "charger", "m7");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThrows(TimeoutException.class, () -> other.get(300, TimeUnit.MILLISECONDS),
                         "the second mark waits while the first transaction is open");
            first.commit();
            assertFalse(other.get(10, TimeUnit.SECONDS), "then finds the id recorded");
            second.rollback();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRedeliveredMessageHasItsEffectOnceThroughTheHandlerAndTwiceWithoutIt(TestDatabase.Kind kind)
            throws Exception {
        NatsServer server = closing(NatsServer.start());
        TestDatabase db = closing(TestDatabase.create(kind));
        db.execute("CREATE TABLE charges (seq INT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                           + "consumer VARCHAR(64) NOT NULL, order_id VARCHAR(64) NOT NULL, cents BIGINT NOT NULL)");
        Messaging messaging = closing(Messaging.builder().serviceName("payment-service")
                                              .nats(NatsSettings.builder().server(server.url()).build())
                                              .addStream(StreamDefinition.builder("PAYMENTS")
                                                                 .addSubject("payments.>").build())
                                              .build());
        ProcessedMessages processed = ProcessedMessages.create(db.dataSource());
        SubscriptionOptions quickRedelivery = SubscriptionOptions.builder().backoff(List.of(Duration.ofMillis(50)))
                .maxDeliver(5).build();

        // the effect: an append-only ledger row per application of a charge
        ProcessedMessages.TransactionalHandler<Charge> charge = (tx, message) -> {
            try (PreparedStatement insert = tx.prepareStatement(
                    "INSERT INTO charges (consumer, order_id, cents) VALUES (?, ?, ?)")) {
                insert.setString(1, message.subject().endsWith("idempotent") ? "idempotent" : "plain");
                insert.setString(2, message.payload().orderId());
                insert.setLong(3, message.payload().cents());
                insert.executeUpdate();
            }
        };
        Map<String, Integer> deliveries = new ConcurrentHashMap<>();
        MessageHandler<Charge> idempotent = processed.handler("charger", charge);
        messaging.subscribeDurable("payments.charge.idempotent", Charge.class, quickRedelivery,
                                   failTheFirstDeliveryAfterItsCommit(idempotent, deliveries));
        MessageHandler<Charge> plain = message -> {
            try (Connection c = db.dataSource().getConnection()) {
                charge.handle(c, message); // auto-committed
            }
        };
        messaging.subscribeDurable("payments.charge.plain", Charge.class, quickRedelivery,
                                   failTheFirstDeliveryAfterItsCommit(plain, deliveries));

        Set<String> orders = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 10; i++) {
            Charge c = new Charge("order-" + i, 100 + i);
            orders.add(c.orderId());
            messaging.publishDurable("payments.charge.idempotent", c, "charge-" + c.orderId());
            messaging.publishDurable("payments.charge.plain", c, "plain-charge-" + c.orderId());
        }

        // every message delivered twice: the first delivery committed its effect, then failed before its ack
        Await.until(WAIT, () -> deliveries.size() == 20 && deliveries.values().stream().allMatch(n -> n >= 2),
                    () -> "each message redelivered, had " + deliveries);
        Map<String, Integer> idempotentEffects = effectsPerOrder(db, "idempotent");
        Map<String, Integer> plainEffects = effectsPerOrder(db, "plain");
        Map<String, Integer> once = new HashMap<>();
        Map<String, Integer> twice = new HashMap<>();
        orders.forEach(o -> {
            once.put(o, 1);
            twice.put(o, 2);
        });
        assertEquals(once, idempotentEffects, "through the handler: one effect per message");
        assertEquals(twice, plainEffects, "without it the ledger shows the redelivery's second effect");
        assertEquals(10, db.queryLong("SELECT COUNT(*) FROM " + processed.table()));
    }

    /** Runs the handler (which commits), then fails the message's first delivery: its ack is lost, so it comes back. */
    private static MessageHandler<Charge> failTheFirstDeliveryAfterItsCommit(MessageHandler<Charge> handler,
                                                                            Map<String, Integer> deliveries) {
        return message -> {
            handler.handle(message);
            String id = message.header("Nats-Msg-Id").orElseThrow();
            if (deliveries.merge(id, 1, Integer::sum) == 1) {
                throw new IllegalStateException("the ack of " + id + " is lost after the commit");
            }
        };
    }

    private static Map<String, Integer> effectsPerOrder(TestDatabase db, String consumer) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement q = c.prepareStatement(
                     "SELECT order_id, COUNT(*) FROM charges WHERE consumer = ? GROUP BY order_id")) {
            q.setString(1, consumer);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }
}
