package dev.flotilla.sample.shop;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.gateway.ShopApi.OrderSummary;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.DuplicateEmailException;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The whole shop with every service's database on PostgreSQL (127.0.0.1:5432, database {@code test}), each in a
 * schema of its own created for this run and dropped afterwards. Skipped, saying why, when no server answers.
 */
class ShopOnPostgresTest {
    private static final String URL = System.getProperty("sample.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = System.getProperty("sample.postgres.user", "postgres");
    private static final List<String> SERVICES = List.of("user-service", "product-service", "inventory-service",
                                                         "order-service", "gateway");
    private static final String RUN = "shop_" + UUID.randomUUID().toString().substring(0, 8);

    private static TestSystem system;

    @BeforeAll
    static void startOnPostgres() {
        try (Connection connection = DriverManager.getConnection(URL, USER, "")) {
            Assumptions.assumeTrue(connection.isValid(2), "PostgreSQL at " + URL + " is not valid");
        } catch (SQLException e) {
            Assumptions.abort("No PostgreSQL at " + URL + " as " + USER + " (" + e.getMessage() + "): skipped");
        }
        Map<String, Map<String, String>> db = new LinkedHashMap<>();
        for (String service : SERVICES) {
            db.put(service, Map.of("db.url", URL, "db.user", USER, "db.schema", schema(service)));
        }
        system = Shop.system(db);
        system.start();
    }

    @AfterAll
    static void dropSchemas() throws SQLException {
        if (system == null) {
            return;
        }
        system.close();
        try (Connection connection = DriverManager.getConnection(URL, USER, "");
             Statement statement = connection.createStatement()) {
            for (String service : SERVICES) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema(service) + " CASCADE");
            }
        }
    }

    private static String schema(String service) {
        return RUN + "_" + service.replace("-service", "");
    }

    @Test
    void theSagaRunsOnPostgresql() {
        ShopApi shop = Shop.api(system);
        User user = Shop.user(shop);
        assertThrows(DuplicateEmailException.class, () -> shop.registerUser(new NewUser("Twin", user.email())));
        Product product = Shop.product(shop, 300, 3);

        Order confirmed = shop.placeOrder(Shop.order(user, product, 2));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(confirmed.id()).status()));
        Order rejected = shop.placeOrder(Shop.order(user, product, 2));
        eventually(() -> assertEquals(Status.REJECTED, shop.order(rejected.id()).status()));
        assertEquals(new Stock(product.id(), 1, 2), shop.stock(product.id()));

        shop.cancelOrder(confirmed.id());
        eventually(() -> assertEquals(new Stock(product.id(), 3, 0), shop.stock(product.id())));
        eventually(() -> assertEquals(List.of(new OrderSummary(confirmed.id(), Status.CANCELLED, 600, null),
                                              new OrderSummary(rejected.id(), Status.REJECTED, 600,
                                                               shop.order(rejected.id()).reason())),
                                      shop.orderHistory(user.id())));
    }

    @Test
    void everyServiceKeepsItsTablesInItsOwnSchema() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, USER, "")) {
            for (Map.Entry<String, String> table : Map.of("user-service", "users", "product-service", "products",
                                                          "inventory-service", "stock", "order-service", "orders",
                                                          "gateway", "order_history").entrySet()) {
                try (var tables = connection.getMetaData().getTables(null, schema(table.getKey()), table.getValue(),
                                                                       null)) {
                    assertEquals(true, tables.next(), table + " in " + schema(table.getKey()));
                }
            }
        }
    }
}
