package dev.flotilla.reliability;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The shop's ledgers read over JDBC from each service's own database, and the checks that hold when every order is
 * final: the effect logs ({@code payment_effects}, {@code stock_effects}) are append-only and written in the same
 * transaction as each effect, so a charge or a reservation applied twice shows as two rows; the sums per order, per
 * product and per user must match what the order-service says happened; no service may know an order the
 * order-service does not have; the gateway's read model must agree with the order-service on every order.
 *
 * <p>{@link #violations()} lists every broken rule, so a run shows all of them at once, not the first.
 */
final class ShopLedgers {
    private static final String CONFIRMED = "CONFIRMED";

    /** An order as the order-service has it. */
    record Order(String id, String userId, String status, long totalCents, Map<String, Long> quantities) {
    }

    private record Effect(String orderId, String key, String kind, long amount) {
    }

    private final Map<String, Order> orders = new HashMap<>();
    private final List<Effect> paymentEffects = new ArrayList<>();
    private final List<Effect> stockEffects = new ArrayList<>();
    private final Map<String, long[]> users = new HashMap<>();       // id -> {credit_used, credit_limit}
    private final Map<String, long[]> stock = new HashMap<>();       // product -> {available, reserved}
    private final Map<String, Set<String>> others = new HashMap<>(); // "table" -> order ids named there
    private final Map<String, String> history = new HashMap<>();     // order -> status in the read model
    private final Map<String, Integer> initialStock;

    private ShopLedgers(Map<String, Integer> initialStock) {
        this.initialStock = Map.copyOf(initialStock);
    }

    /**
     * Reads the ledgers.
     *
     * @param orderDb      the order-service's database ({@code orders}, {@code order_items})
     * @param userDb       the user-service's ({@code users}, {@code payments}, {@code payment_effects})
     * @param inventoryDb  the inventory-service's ({@code stock}, {@code reservations}, {@code stock_effects})
     * @param gatewayDb    the gateway's ({@code order_history})
     * @param initialStock the units each product was created with
     */
    static ShopLedgers read(Connection orderDb, Connection userDb, Connection inventoryDb, Connection gatewayDb,
                            Map<String, Integer> initialStock) throws SQLException {
        ShopLedgers l = new ShopLedgers(initialStock);
        Map<String, Map<String, Long>> items = new HashMap<>();
        query(orderDb, "SELECT order_id, product_id, quantity FROM order_items", r -> items
                .computeIfAbsent(r.getString(1), k -> new HashMap<>()).merge(r.getString(2), r.getLong(3), Long::sum));
        query(orderDb, "SELECT id, user_id, status, total_cents FROM orders", r -> l.orders.put(r.getString(1),
                new Order(r.getString(1), r.getString(2), r.getString(3), r.getLong(4),
                          items.getOrDefault(r.getString(1), Map.of()))));
        query(userDb, "SELECT order_id, user_id, kind, amount_cents FROM payment_effects", r -> l.paymentEffects
                .add(new Effect(r.getString(1), r.getString(2), r.getString(3), r.getLong(4))));
        query(userDb, "SELECT id, credit_used_cents, credit_limit_cents FROM users",
              r -> l.users.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3)}));
        query(userDb, "SELECT order_id FROM payments WHERE order_id IS NOT NULL", r -> l.others
                .computeIfAbsent("payments", k -> new HashSet<>()).add(r.getString(1)));
        query(inventoryDb, "SELECT order_id, product_id, kind, quantity FROM stock_effects", r -> l.stockEffects
                .add(new Effect(r.getString(1), r.getString(2), r.getString(3), r.getLong(4))));
        query(inventoryDb, "SELECT product_id, available, reserved FROM stock",
              r -> l.stock.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3)}));
        query(inventoryDb, "SELECT order_id FROM reservations", r -> l.others
                .computeIfAbsent("reservations", k -> new HashSet<>()).add(r.getString(1)));
        query(gatewayDb, "SELECT order_id, status FROM order_history", r -> l.history.put(r.getString(1),
                                                                                         r.getString(2)));
        return l;
    }

    /** Reads only what settling needs: the orders' statuses and the read model's. */
    static ShopLedgers readStatuses(Connection orderDb, Connection gatewayDb) throws SQLException {
        ShopLedgers l = new ShopLedgers(Map.of());
        query(orderDb, "SELECT id, user_id, status, total_cents FROM orders", r -> l.orders.put(r.getString(1),
                new Order(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), Map.of())));
        query(gatewayDb, "SELECT order_id, status FROM order_history", r -> l.history.put(r.getString(1),
                                                                                         r.getString(2)));
        return l;
    }

    Map<String, Order> orders() {
        return orders;
    }

    /** Orders not yet final, by id. */
    List<String> pending() {
        return orders.values().stream().filter(o -> o.status().equals("PENDING")).map(Order::id).sorted().toList();
    }

    /** Orders whose status in the gateway's read model differs from the order-service's (or is missing). */
    List<String> readModelDisagreements() {
        List<String> wrong = new ArrayList<>();
        for (Order o : orders.values()) {
            String seen = history.get(o.id());
            if (!o.status().equals(seen)) {
                wrong.add("order " + o.id() + " is " + o.status() + " but the read model says " + seen);
            }
        }
        return wrong;
    }

    /** Every broken rule, one line each; empty when the ledgers balance. */
    List<String> violations() {
        List<String> v = new ArrayList<>();
        pending().forEach(id -> v.add("order " + id + " is still PENDING"));
        v.addAll(readModelDisagreements());
        // Payments: one charge per order at most; what was charged and not refunded is the total of a confirmed
        // order and nothing otherwise; each effect on the order's own user.
        Map<String, Long> net = new HashMap<>();
        Map<String, Integer> charges = new HashMap<>();
        for (Effect e : paymentEffects) {
            Order order = orders.get(e.orderId());
            if (order == null) {
                v.add("payment effect " + e.kind() + " for unknown order " + e.orderId());
                continue;
            }
            if (!order.userId().equals(e.key())) {
                v.add("payment effect " + e.kind() + " of order " + e.orderId() + " on user " + e.key()
                              + ", not the buyer " + order.userId());
            }
            switch (e.kind()) {
                case "CHARGE" -> {
                    charges.merge(e.orderId(), 1, Integer::sum);
                    net.merge(e.orderId(), e.amount(), Long::sum);
                }
                case "REFUND" -> net.merge(e.orderId(), -e.amount(), Long::sum);
                default -> v.add("payment effect of unknown kind " + e.kind() + " for order " + e.orderId());
            }
        }
        charges.forEach((order, count) -> {
            if (count > 1) {
                v.add("order " + order + " was charged " + count + " times");
            }
        });
        Map<String, Long> usedByUser = new HashMap<>();
        for (Order o : orders.values()) {
            boolean confirmed = o.status().equals(CONFIRMED);
            long expected = confirmed ? o.totalCents() : 0;
            long charged = net.getOrDefault(o.id(), 0L);
            if (charged != expected) {
                v.add("order " + o.id() + " (" + o.status() + ", total " + o.totalCents() + ") has " + charged
                              + " cents charged and not refunded, expected " + expected);
            }
            if (confirmed) {
                usedByUser.merge(o.userId(), o.totalCents(), Long::sum);
            }
        }
        users.forEach((user, credit) -> {
            long expected = usedByUser.getOrDefault(user, 0L);
            if (credit[0] != expected) {
                v.add("user " + user + " has credit_used_cents " + credit[0] + ", confirmed orders total " + expected);
            }
            if (credit[0] > credit[1]) {
                v.add("user " + user + " used " + credit[0] + " cents of a limit of " + credit[1]);
            }
        });
        usedByUser.keySet().stream().filter(u -> !users.containsKey(u))
                .forEach(u -> v.add("confirmed orders of user " + u + " whom the user-service does not know"));
        // Stock: one reservation per order and product at most; reserved and not released is the quantity of a
        // confirmed order and nothing otherwise; the stock's reserved units are the sum over confirmed orders.
        Map<List<String>, Long> netStock = new HashMap<>();
        Map<List<String>, Integer> reserves = new HashMap<>();
        for (Effect e : stockEffects) {
            if (!orders.containsKey(e.orderId())) {
                v.add("stock effect " + e.kind() + " for unknown order " + e.orderId());
                continue;
            }
            List<String> key = List.of(e.orderId(), e.key());
            switch (e.kind()) {
                case "RESERVE" -> {
                    reserves.merge(key, 1, Integer::sum);
                    netStock.merge(key, e.amount(), Long::sum);
                }
                case "RELEASE" -> netStock.merge(key, -e.amount(), Long::sum);
                default -> v.add("stock effect of unknown kind " + e.kind() + " for order " + e.orderId());
            }
        }
        reserves.forEach((key, count) -> {
            if (count > 1) {
                v.add("order " + key.get(0) + " reserved product " + key.get(1) + " " + count + " times");
            }
        });
        Map<String, Long> reservedByProduct = new HashMap<>();
        for (Order o : orders.values()) {
            boolean confirmed = o.status().equals(CONFIRMED);
            Set<String> products = new HashSet<>(o.quantities().keySet());
            netStock.keySet().stream().filter(k -> k.get(0).equals(o.id())).forEach(k -> products.add(k.get(1)));
            for (String product : products) {
                long expected = confirmed ? o.quantities().getOrDefault(product, 0L) : 0;
                long held = netStock.getOrDefault(List.of(o.id(), product), 0L);
                if (held != expected) {
                    v.add("order " + o.id() + " (" + o.status() + ") holds " + held + " units of " + product
                                  + ", expected " + expected);
                }
            }
            if (confirmed) {
                o.quantities().forEach((p, q) -> reservedByProduct.merge(p, q, Long::sum));
            }
        }
        Set<String> products = new HashSet<>(stock.keySet());
        products.addAll(reservedByProduct.keySet());
        for (String product : products) {
            long[] s = stock.get(product);
            long expected = reservedByProduct.getOrDefault(product, 0L);
            if (s == null) {
                v.add("confirmed orders hold product " + product + " that has no stock row");
                continue;
            }
            if (s[1] != expected) {
                v.add("product " + product + " has " + s[1] + " units reserved, confirmed orders hold " + expected);
            }
            Integer initial = initialStock.get(product);
            if (initial != null && s[0] + s[1] != initial) {
                v.add("product " + product + " has " + s[0] + " available + " + s[1] + " reserved, was created with "
                              + initial);
            }
        }
        // No service knows an order the order-service does not have.
        others.forEach((table, ids) -> ids.stream().filter(id -> !orders.containsKey(id)).sorted()
                .forEach(id -> v.add(table + " names order " + id + " that the order-service does not have")));
        history.keySet().stream().filter(id -> !orders.containsKey(id)).sorted()
                .forEach(id -> v.add("the read model lists order " + id + " that the order-service does not have"));
        return v;
    }

    /** The counts by order status. */
    Map<String, Long> statusCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        orders.values().forEach(o -> counts.merge(o.status(), 1L, Long::sum));
        return counts;
    }

    long effects() {
        return paymentEffects.size() + stockEffects.size();
    }

    private interface Row {
        void accept(ResultSet row) throws SQLException;
    }

    private static void query(Connection connection, String sql, Row row) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                row.accept(rs);
            }
        }
    }
}
