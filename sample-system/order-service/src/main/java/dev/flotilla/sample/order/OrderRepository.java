package dev.flotilla.sample.order;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderItem;
import dev.flotilla.sample.order.api.OrderApi.Status;

/**
 * The {@code orders} and {@code order_items} tables: plain JDBC that runs on H2 and PostgreSQL. Each change of an
 * order can do more in its own transaction (the order-service adds the order's event to its outbox there), so no
 * event exists without its change, and no change without its event.
 */
final class OrderRepository {
    static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS orders (
                id          VARCHAR(36)  PRIMARY KEY,
                user_id     VARCHAR(36)  NOT NULL,
                status      VARCHAR(16)  NOT NULL,
                total_cents BIGINT       NOT NULL,
                reason      VARCHAR(500)
            )""", """
            CREATE TABLE IF NOT EXISTS order_items (
                order_id         VARCHAR(36) NOT NULL,
                product_id       VARCHAR(36) NOT NULL,
                quantity         INT         NOT NULL,
                unit_price_cents BIGINT      NOT NULL,
                PRIMARY KEY (order_id, product_id)
            )""");

    private final Database database;


    OrderRepository(Database database) {
        this.database = database;
    }

    Database database() {
        return database;
    }

    /** Work done in the transaction of a change of an order, such as adding its event to the outbox. */
    @FunctionalInterface
    interface InTransaction {
        void run(Connection connection, Order order) throws SQLException;
    }

    /**
     * Stores a new order, and runs {@code alsoDo} in the same transaction; an order stored before (the same id) is
     * left alone and {@code alsoDo} does not run.
     *
     * @return {@code true} if stored now, {@code false} if it was stored before
     */
    boolean record(Order order, InTransaction alsoDo) {
        return database.transaction(connection -> {
            if (find(connection, order.id()).isPresent()) {
                return false;
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO orders (id, user_id, status, total_cents, reason) VALUES (?, ?, ?, ?, ?)");
                 PreparedStatement line = connection.prepareStatement(
                         "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) "
                                 + "VALUES (?, ?, ?, ?)")) {
                insert.setString(1, order.id());
                insert.setString(2, order.userId());
                insert.setString(3, order.status().name());
                insert.setLong(4, order.totalCents());
                insert.setString(5, order.reason());
                insert.executeUpdate();
                for (OrderItem item : order.items()) {
                    line.setString(1, order.id());
                    line.setString(2, item.productId());
                    line.setInt(3, item.quantity());
                    line.setLong(4, item.unitPriceCents());
                    line.executeUpdate();
                }
            }
            alsoDo.run(connection, order);
            return true;
        });
    }

    Optional<Order> find(String id) {
        return database.transaction(connection -> find(connection, id));
    }

    /**
     * Moves an order from one status to another, if it is in the first, and then runs {@code alsoDo} in the same
     * transaction; when the order is not in {@code from}, nothing changes and {@code alsoDo} does not run.
     *
     * @return the order after the attempt (in {@code to} if it moved now or before, otherwise as it is); empty when
     *         there is no such order
     */
    Optional<Order> transition(String id, Status from, Status to, String reason, InTransaction alsoDo) {
        return database.transaction(connection -> {
            int moved;
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE orders SET status = ?, reason = COALESCE(?, reason) WHERE id = ? AND status = ?")) {
                update.setString(1, to.name());
                update.setString(2, reason);
                update.setString(3, id);
                update.setString(4, from.name());
                moved = update.executeUpdate();
            }
            Optional<Order> order = find(connection, id);
            if (moved == 1) {
                alsoDo.run(connection, order.orElseThrow());
            }
            return order;
        });
    }

    private static Optional<Order> find(Connection connection, String id) throws SQLException {
        List<OrderItem> items = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = ? "
                        + "ORDER BY product_id")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    items.add(new OrderItem(row.getString(1), row.getInt(2), row.getLong(3)));
                }
            }
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT user_id, status, total_cents, reason FROM orders WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Order(id, row.getString(1), Status.valueOf(row.getString(2)),
                                             List.copyOf(items), row.getLong(3), row.getString(4)));
            }
        }
    }
}
