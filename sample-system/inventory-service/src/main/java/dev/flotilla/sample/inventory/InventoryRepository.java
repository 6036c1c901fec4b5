package dev.flotilla.sample.inventory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.OrderItem;

/**
 * Stock and reservations. A reservation takes every item of an order in one transaction with conditional updates
 * ({@code ... WHERE available >= ?}), so stock never goes negative however many orders race for it, and the
 * {@code reservations} row keyed by order id makes reserving and releasing idempotent.
 */
final class InventoryRepository {
    static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS stock (
                product_id VARCHAR(36) PRIMARY KEY,
                available  INT         NOT NULL CHECK (available >= 0),
                reserved   INT         NOT NULL CHECK (reserved >= 0)
            )""", """
            CREATE TABLE IF NOT EXISTS reservations (
                order_id VARCHAR(36)  PRIMARY KEY,
                status   VARCHAR(16)  NOT NULL,
                reason   VARCHAR(500)
            )""", """
            CREATE TABLE IF NOT EXISTS reservation_items (
                order_id   VARCHAR(36) NOT NULL,
                product_id VARCHAR(36) NOT NULL,
                quantity   INT         NOT NULL,
                PRIMARY KEY (order_id, product_id)
            )""");

    /** The result of a reservation. */
    record Outcome(boolean reserved, String reason) {
    }

    /** Thrown inside a reservation's transaction to roll it back. */
    private static final class Rejection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejection(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Database database;

    InventoryRepository(Database database) {
        this.database = database;
    }

    Database database() {
        return database;
    }

    /** Creates the stock of a new product; {@code false} when it exists (a redelivered event). */
    boolean createStock(String productId, int units) {
        try {
            return database.transaction(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO stock (product_id, available, reserved) VALUES (?, ?, 0)")) {
                    insert.setString(1, productId);
                    insert.setInt(2, units);
                    return insert.executeUpdate() == 1;
                }
            });
        } catch (IllegalStateException e) {
            if (Database.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    Optional<Stock> stock(String productId) {
        return database.transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT available, reserved FROM stock WHERE product_id = ?")) {
                select.setString(1, productId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(new Stock(productId, row.getInt(1), row.getInt(2)))
                            : Optional.empty();
                }
            }
        });
    }

    /**
     * Reserves every item of an order, or none. Reserving an order again answers its first outcome.
     *
     * @param waitForUnknown throw (so the event is redelivered later) rather than reject when a product has no stock
     *                       row yet
     * @throws IllegalStateException when waiting for an unknown product
     */
    Outcome reserve(String orderId, List<OrderItem> items, boolean waitForUnknown) {
        Map<String, Integer> quantities = new TreeMap<>();   // sorted: every transaction locks rows in one order
        for (OrderItem item : items) {
            quantities.merge(item.productId(), item.quantity(), Integer::sum);
        }
        try {
            return database.transaction(connection -> {
                insertReservation(connection, orderId, "RESERVED", null);
                for (Map.Entry<String, Integer> item : quantities.entrySet()) {
                    if (!take(connection, item.getKey(), item.getValue())) {
                        boolean known = stockExists(connection, item.getKey());
                        if (!known && waitForUnknown) {
                            throw new IllegalStateException("No stock known yet for product " + item.getKey()
                                                                    + " of order " + orderId + ": will retry");
                        }
                        throw new Rejection(known
                                ? "insufficient stock for product " + item.getKey() + ": " + item.getValue()
                                        + " requested"
                                : "no stock known for product " + item.getKey());
                    }
                    try (PreparedStatement line = connection.prepareStatement(
                            "INSERT INTO reservation_items (order_id, product_id, quantity) VALUES (?, ?, ?)")) {
                        line.setString(1, orderId);
                        line.setString(2, item.getKey());
                        line.setInt(3, item.getValue());
                        line.executeUpdate();
                    }
                }
                return new Outcome(true, null);
            });
        } catch (Rejection rejection) {
            return recordRejection(orderId, rejection.getMessage());
        } catch (IllegalStateException e) {
            if (Database.isUniqueViolation(e)) {
                return previousOutcome(orderId);
            }
            throw e;
        }
    }

    private Outcome recordRejection(String orderId, String reason) {
        try {
            database.transaction(connection -> {
                insertReservation(connection, orderId, "REJECTED", reason);
                return null;
            });
            return new Outcome(false, reason);
        } catch (IllegalStateException e) {
            if (Database.isUniqueViolation(e)) {
                return previousOutcome(orderId);
            }
            throw e;
        }
    }

    private Outcome previousOutcome(String orderId) {
        return database.transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT status, reason FROM reservations WHERE order_id = ?")) {
                select.setString(1, orderId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalStateException("No reservation of order " + orderId);
                    }
                    // A released reservation was reserved first: its outcome was "reserved".
                    return new Outcome(!"REJECTED".equals(row.getString(1)), row.getString(2));
                }
            }
        });
    }

    /**
     * Gives back the stock of a reserved order; {@code false} when there is nothing to give back (never reserved,
     * rejected, or released already).
     */
    boolean release(String orderId) {
        return database.transaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE reservations SET status = 'RELEASED' WHERE order_id = ? AND status = 'RESERVED'")) {
                update.setString(1, orderId);
                if (update.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT product_id, quantity FROM reservation_items WHERE order_id = ? ORDER BY product_id");
                 PreparedStatement giveBack = connection.prepareStatement(
                         "UPDATE stock SET available = available + ?, reserved = reserved - ? WHERE product_id = ?")) {
                select.setString(1, orderId);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        giveBack.setInt(1, row.getInt(2));
                        giveBack.setInt(2, row.getInt(2));
                        giveBack.setString(3, row.getString(1));
                        giveBack.executeUpdate();
                    }
                }
            }
            return true;
        });
    }

    private static void insertReservation(Connection connection, String orderId, String status, String reason)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO reservations (order_id, status, reason) VALUES (?, ?, ?)")) {
            insert.setString(1, orderId);
            insert.setString(2, status);
            insert.setString(3, reason);
            insert.executeUpdate();
        }
    }

    private static boolean take(Connection connection, String productId, int quantity) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE stock SET available = available - ?, reserved = reserved + ? "
                        + "WHERE product_id = ? AND available >= ?")) {
            update.setInt(1, quantity);
            update.setInt(2, quantity);
            update.setString(3, productId);
            update.setInt(4, quantity);
            return update.executeUpdate() == 1;
        }
    }

    private static boolean stockExists(Connection connection, String productId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM stock WHERE product_id = ?")) {
            select.setString(1, productId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }
}
