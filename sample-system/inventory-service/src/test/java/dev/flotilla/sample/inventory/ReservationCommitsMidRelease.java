package dev.flotilla.sample.inventory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.h2.api.Trigger;

/**
 * An H2 statement trigger on {@code reservations} updates that plays the reservation of order {@value #ORDER} (1 unit
 * of product {@value #PRODUCT}) committing from another connection right after the release's update: the moment a
 * release's update no longer sees, and its next statement does. The database's URL is in the table
 * {@code race_database}.
 */
public final class ReservationCommitsMidRelease implements Trigger {
    static final String ORDER = "o-race";
    static final String PRODUCT = "race";

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        String url;
        try (ResultSet row = conn.createStatement().executeQuery("SELECT url FROM race_database")) {
            row.next();
            url = row.getString(1);
        }
        try (Connection other = DriverManager.getConnection(url)) {
            other.setAutoCommit(false);
            try (PreparedStatement exists = other.prepareStatement(
                    "SELECT 1 FROM reservations WHERE order_id = ?")) {
                exists.setString(1, ORDER);
                try (ResultSet row = exists.executeQuery()) {
                    if (row.next()) {
                        return;
                    }
                }
            }
            for (String sql : new String[] {
                    "INSERT INTO reservations (order_id, status, reason) VALUES ('" + ORDER + "', 'RESERVED', NULL)",
                    "INSERT INTO reservation_items (order_id, product_id, quantity) VALUES ('" + ORDER + "', '"
                            + PRODUCT + "', 1)",
                    "UPDATE stock SET available = available - 1, reserved = reserved + 1 WHERE product_id = '"
                            + PRODUCT + "'",
                    "INSERT INTO stock_effects (order_id, product_id, kind, quantity) VALUES ('" + ORDER + "', '"
                            + PRODUCT + "', 'RESERVE', 1)"}) {
                other.createStatement().executeUpdate(sql);
            }
            other.commit();
        }
    }
}
