package dev.flotilla.sample.shop;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.sample.common.Database;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * The effect logs of the user-service ({@code payment_effects}, {@code users.credit_used_cents}) and the
 * inventory-service ({@code stock_effects}), read over JDBC from their own databases: every effect that ever happened
 * is a line there, so a double effect shows. The shop's services get these databases through {@link #config()}.
 */
final class Ledgers implements AutoCloseable {
    private final String userDb = "jdbc:h2:mem:ledger-users-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final String inventoryDb = "jdbc:h2:mem:ledger-inventory-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private Database users;
    private Database inventory;

    /** The configuration of the user- and inventory-service that puts their data where this reads it. */
    Map<String, Map<String, String>> config(Map<String, String> userService) {
        Map<String, String> user = new java.util.HashMap<>(userService);
        user.put("db.url", userDb);
        return Map.of("user-service", user, "inventory-service", Map.of("db.url", inventoryDb));
    }

    private synchronized Database users() {
        if (users == null) {
            users = Database.open(Config.just(ConfigSources.create(Map.of("url", userDb))), "ledger-users");
        }
        return users;
    }

    private synchronized Database inventory() {
        if (inventory == null) {
            inventory = Database.open(Config.just(ConfigSources.create(Map.of("url", inventoryDb))),
                                      "ledger-inventory");
        }
        return inventory;
    }

    /** The payment effects of an order, oldest first: {@code "CHARGE 600"}, {@code "REFUND 600"}. */
    List<String> payments(String orderId) {
        return lines(users(), "SELECT kind, amount_cents FROM payment_effects WHERE order_id = ? ORDER BY id",
                     orderId);
    }

    /** The stock effects of an order, oldest first: {@code "RESERVE <product> 2"}, {@code "RELEASE <product> 2"}. */
    List<String> stock(String orderId) {
        return lines(inventory(), "SELECT kind, product_id, quantity FROM stock_effects WHERE order_id = ? ORDER BY id",
                     orderId);
    }

    /** A user's credit used, in cents. */
    long creditUsed(String userId) {
        return users().transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT credit_used_cents FROM users WHERE id = ?")) {
                select.setString(1, userId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw new AssertionError("No user " + userId);
                    }
                    return row.getLong(1);
                }
            }
        });
    }

    private static List<String> lines(Database database, String sql, String orderId) {
        return database.transaction(connection -> {
            List<String> lines = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, orderId);
                try (ResultSet row = select.executeQuery()) {
                    int columns = row.getMetaData().getColumnCount();
                    while (row.next()) {
                        StringBuilder line = new StringBuilder(row.getString(1));
                        for (int i = 2; i <= columns; i++) {
                            line.append(' ').append(row.getString(i));
                        }
                        lines.add(line.toString());
                    }
                }
            }
            return lines;
        });
    }

    @Override
    public synchronized void close() {
        if (users != null) {
            users.close();
        }
        if (inventory != null) {
            inventory.close();
        }
    }
}
