package dev.flotilla.sample.user;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.h2.api.Trigger;

/**
 * An H2 statement trigger on {@code payments} updates that plays a charge of {@value #AMOUNT} cents under key
 * {@value #KEY} (user {@value #USER}, order {@value #ORDER}) committing from another connection right after the
 * refund's update: the moment a refund's update no longer sees, and its next statement does. The database's URL is in
 * the table {@code race_database}.
 */
public final class ChargeCommitsMidRefund implements Trigger {
    static final String KEY = "place-order.o-race.take-payment";
    static final String USER = "u-race";
    static final String ORDER = "o-race";
    static final long AMOUNT = 700;

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
                    "SELECT 1 FROM payments WHERE idempotency_key = ?")) {
                exists.setString(1, KEY);
                try (ResultSet row = exists.executeQuery()) {
                    if (row.next()) {
                        return;
                    }
                }
            }
            for (String sql : new String[] {
                    "INSERT INTO payments (idempotency_key, user_id, order_id, amount_cents, status) VALUES ('" + KEY
                            + "', '" + USER + "', '" + ORDER + "', " + AMOUNT + ", 'CHARGED')",
                    "UPDATE users SET credit_used_cents = credit_used_cents + " + AMOUNT + " WHERE id = '" + USER
                            + "'",
                    "INSERT INTO payment_effects (order_id, user_id, kind, amount_cents) VALUES ('" + ORDER + "', '"
                            + USER + "', 'CHARGE', " + AMOUNT + ")"}) {
                other.createStatement().executeUpdate(sql);
            }
            other.commit();
        }
    }
}
