package dev.flotilla.sample.gateway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.gateway.ShopApi.OrderSummary;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.OrderRejected;

/**
 * The order-history read model: one row per order in the gateway's own database, kept from the {@code orders.*}
 * events. Events of one order may arrive in any order (each subject has its own consumer) and more than once, so a
 * row only moves forward: PENDING, then CONFIRMED or REJECTED, then CANCELLED.
 */
final class OrderHistory {
    static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS order_history (
                order_id    VARCHAR(36)  PRIMARY KEY,
                user_id     VARCHAR(36)  NOT NULL,
                status      VARCHAR(16)  NOT NULL,
                state_rank  INT          NOT NULL,
                total_cents BIGINT,
                reason      VARCHAR(500),
                first_seen  BIGINT       NOT NULL
            )""");

    private final Database database;

    OrderHistory(Database database) {
        this.database = database;
    }

    Database database() {
        return database;
    }

    /** Keeps the history from the order events. */
    void subscribe(DurableEvents events) {
        events.subscribe(OrderApi.SERVICE, OrderPlaced.SUBJECT, OrderPlaced.class, m -> apply(
                m.payload().orderId(), m.payload().userId(), Status.PENDING, m.payload().totalCents(), null));
        events.subscribe(OrderApi.SERVICE, OrderConfirmed.SUBJECT, OrderConfirmed.class, m -> apply(
                m.payload().orderId(), m.payload().userId(), Status.CONFIRMED, m.payload().totalCents(), null));
        events.subscribe(OrderApi.SERVICE, OrderRejected.SUBJECT, OrderRejected.class, m -> apply(
                m.payload().orderId(), m.payload().userId(), Status.REJECTED, null, m.payload().reason()));
        events.subscribe(OrderApi.SERVICE, OrderCancelled.SUBJECT, OrderCancelled.class, m -> apply(
                m.payload().orderId(), m.payload().userId(), Status.CANCELLED, null, null));
    }

    List<OrderSummary> ofUser(String userId) {
        return database.transaction(connection -> {
            List<OrderSummary> orders = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT order_id, status, total_cents, reason FROM order_history WHERE user_id = ? "
                            + "ORDER BY first_seen, order_id")) {
                select.setString(1, userId);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        orders.add(new OrderSummary(row.getString(1), Status.valueOf(row.getString(2)),
                                                    row.getLong(3), row.getString(4)));
                    }
                }
            }
            return orders;
        });
    }

    void apply(String orderId, String userId, Status status, Long totalCents, String reason) {
        try {
            database.transaction(connection -> applyIn(connection, orderId, userId, status, totalCents, reason));
        } catch (IllegalStateException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            // Another event of the same order inserted the row first: now it is an update.
            database.transaction(connection -> applyIn(connection, orderId, userId, status, totalCents, reason));
        }
    }

    private static Void applyIn(Connection connection, String orderId, String userId, Status status, Long totalCents,
                                String reason) throws SQLException {
        if (moveForward(connection, orderId, status, reason) == 0) {
            int inserted;
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO order_history (order_id, user_id, status, state_rank, total_cents, reason, "
                            + "first_seen) SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                            + "(SELECT 1 FROM order_history WHERE order_id = ?)")) {
                insert.setString(1, orderId);
                insert.setString(2, userId);
                insert.setString(3, status.name());
                insert.setInt(4, rank(status));
                if (totalCents == null) {
                    insert.setNull(5, Types.BIGINT);
                } else {
                    insert.setLong(5, totalCents);
                }
                insert.setString(6, reason);
                insert.setLong(7, System.currentTimeMillis());
                insert.setString(8, orderId);
                inserted = insert.executeUpdate();
            }
            if (inserted == 0) {
                // Another event of the order committed its row after the update above looked (each statement
                // sees what was committed when it began): the row exists now, so move it forward now.
                moveForward(connection, orderId, status, reason);
            }
        }
        if (totalCents != null) {
            try (PreparedStatement total = connection.prepareStatement(
                    "UPDATE order_history SET total_cents = ? WHERE order_id = ? AND total_cents IS NULL")) {
                total.setLong(1, totalCents);
                total.setString(2, orderId);
                total.executeUpdate();
            }
        }
        return null;
    }

    /** Moves an existing row to the status if that is forward; returns the rows moved. */
    private static int moveForward(Connection connection, String orderId, Status status, String reason)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE order_history SET status = ?, state_rank = ?, reason = COALESCE(?, reason) "
                        + "WHERE order_id = ? AND state_rank < ?")) {
            update.setString(1, status.name());
            update.setInt(2, rank(status));
            update.setString(3, reason);
            update.setString(4, orderId);
            update.setInt(5, rank(status));
            return update.executeUpdate();
        }
    }

    private static int rank(Status status) {
        return switch (status) {
            case PENDING -> 0;
            case CONFIRMED, REJECTED -> 1;
            case CANCELLED -> 2;
        };
    }
}
