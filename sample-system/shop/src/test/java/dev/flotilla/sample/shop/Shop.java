package dev.flotilla.sample.shop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.sample.gateway.GatewayService;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.InventoryService;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.OrderService;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.product.ProductService;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The whole shop as a test system, and the steps tests repeat. */
final class Shop {
    private Shop() {
    }

    /**
     * The five services on a real nats-server, each with a database of its own that no other test class shares.
     *
     * @param db extra configuration per service name (e.g. PostgreSQL), applied after the defaults
     */
    static TestSystem system(Map<String, Map<String, String>> db) {
        return builder(db).build();
    }

    /** The builder of {@link #system(Map)}, for a test class that adds to it. */
    static TestSystem.Builder builder(Map<String, Map<String, String>> db) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        TestSystem.Builder builder = TestSystem.builder()
                // The system issues user tokens its services accept (the gateway needs a signed-in user).
                .userTokens()
                // Every service records spans, kept for SYSTEM.spans() (ShopObservabilityTest).
                .captureSpans()
                // Short breaker delays so the resilience tests see it open and close within seconds.
                .config("resilience.product-service.circuit-breaker.open-delay", "PT0.5S")
                // Events pulled by an instance that then stopped come back after this (30 s in production).
                .config("events.ack-wait", "PT2S");
        add(builder, new UserService(), "user-service", run, db);
        add(builder, new ProductService(), "product-service", run, db);
        add(builder, new InventoryService(), "inventory-service", run, db);
        add(builder, new OrderService(), "order-service", run, db);
        add(builder, new GatewayService(), "gateway", run, db);
        return builder;
    }

    static TestSystem system() {
        return system(Map.of());
    }

    private static void add(TestSystem.Builder builder, dev.flotilla.core.Service service, String name, String run,
                            Map<String, Map<String, String>> db) {
        Map<String, String> config = new java.util.HashMap<>();
        config.put("db.url", "jdbc:h2:mem:" + name + "-" + run + ";DB_CLOSE_DELAY=-1");
        config.putAll(db.getOrDefault(name, Map.of()));
        builder.addService(service, config);
    }

    /** The shop as seen by one of its operators, who may create products and act for any user. */
    static ShopApi api(TestSystem system) {
        return system.client(ShopApi.class, ShopApi.SERVICE, system.userToken("shop-operator", ShopApi.OPERATOR));
    }

    /** The shop as seen by a signed-in user, who may act only for themselves. */
    static ShopApi as(TestSystem system, User user) {
        return system.client(ShopApi.class, ShopApi.SERVICE, system.userToken(user.id()));
    }

    static User user(ShopApi shop) {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        return shop.registerUser(new NewUser("Ada " + tag, "ada-" + tag + "@example.com"));
    }

    /** A new product whose stock has reached the inventory. */
    static Product product(ShopApi shop, long priceCents, int stock) {
        // The gateway gives the product-service 0.5 s; a first creation in a cold JVM on a busy machine may take
        // longer (a 503): create another one then.
        List<Product> created = new java.util.ArrayList<>();
        eventually(() -> created.add(shop.createProduct(new NewProduct("Widget", priceCents, stock))));
        Product product = created.getFirst();
        eventually(() -> assertEquals(new Stock(product.id(), stock, 0), shop.stock(product.id())));
        return product;
    }

    static PlaceOrder order(User user, Product product, int quantity) {
        return new PlaceOrder(user.id(), List.of(new OrderLine(product.id(), quantity)));
    }

    static HttpResponse<String> get(URI uri) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
