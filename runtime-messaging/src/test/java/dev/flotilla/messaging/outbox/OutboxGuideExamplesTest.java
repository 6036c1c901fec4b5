package dev.flotilla.messaging.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

import javax.sql.DataSource;

import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.idempotency.ProcessedMessages;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The code samples of {@code docs/messaging.md}, "Transactional outbox" and "Idempotent handlers", compiled and run
 * against a real nats-server and H2: an order and its event written in one transaction, the event relayed to the
 * stream, and a consumer that applies it and records its id in one transaction (redeliveries are in
 * {@code ProcessedMessagesTest}).
 */
class OutboxGuideExamplesTest {

    /** The event. */
    public record OrderPlaced(String orderId, long totalCents) {
    }

    private static void insertOrder(Connection tx, String orderId, long totalCents) throws Exception {
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO orders (id, total_cents) VALUES (?, ?)")) {
            insert.setString(1, orderId);
            insert.setLong(2, totalCents);
            insert.executeUpdate();
        }
    }

    private static void reserveStock(Connection tx, OrderPlaced order) throws Exception {
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO reservations (order_id) VALUES (?)")) {
            insert.setString(1, order.orderId());
            insert.executeUpdate();
        }
    }

    @Test
    void anOrderAndItsEventCommitTogetherAndTheConsumerAppliesItOnce() throws Exception {
        try (NatsServer server = NatsServer.start();
             TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2);
             Messaging messaging = Messaging.builder().serviceName("order-service")
                     .nats(NatsSettings.builder().server(server.url()).build())
                     .addStream(StreamDefinition.builder("ORDERS").addSubject("orders.>").build()).build()) {
            db.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY, total_cents BIGINT NOT NULL)",
                       "CREATE TABLE reservations (order_id VARCHAR(64) NOT NULL)");
            DataSource dataSource = db.dataSource();
            String orderId = "o-1";
            long totalCents = 4_200;

            // tag::idempotent[]
            ProcessedMessages processed = ProcessedMessages.create(dataSource);   // table flotilla_processed
            messaging.subscribeDurable("orders.order-placed.v1", OrderPlaced.class,
                    processed.handler("reserve-stock", (tx, message) ->
                            reserveStock(tx, message.payload())));   // same transaction as the Nats-Msg-Id record
            // end::idempotent[]

            // tag::outbox[]
            Outbox outbox = Outbox.builder(dataSource, messaging).build();   // in a service: Outbox.of(context, ds)
            try (Connection tx = dataSource.getConnection()) {
                tx.setAutoCommit(false);
                insertOrder(tx, orderId, totalCents);                                   // the state change
                outbox.add(tx, "orders.order-placed.v1", new OrderPlaced(orderId, totalCents),
                           "order-placed-" + orderId);                                  // its event, same transaction
                tx.commit();                            // published after the commit; never if it rolls back
            }
            // end::outbox[]

            try (outbox) {
                Await.until(Duration.ofSeconds(20), () -> db.queryLong("SELECT COUNT(*) FROM reservations") == 1,
                            "the event relayed and applied");
                Await.until(Duration.ofSeconds(20), () -> outbox.pending() == 0, "no row left in the outbox");
                assertEquals(1, db.queryLong("SELECT COUNT(*) FROM " + ProcessedMessages.DEFAULT_TABLE
                        + " WHERE consumer = 'reserve-stock' AND message_id = 'order-placed-o-1'"));
                assertEquals(1, db.queryLong("SELECT COUNT(*) FROM reservations"));
            }
        }
    }
}
