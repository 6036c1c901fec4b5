package dev.flotilla.reliability;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.core.Service;
import dev.flotilla.sample.gateway.GatewayService;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.InventoryService;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.OrderService;
import dev.flotilla.sample.product.ProductService;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sample shop as a test system on a real nats-server, each service with an H2 database of its own. */
final class SampleShop {
    private SampleShop() {
    }

    static TestSystem.Builder builder() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        TestSystem.Builder builder = TestSystem.builder()
                .userTokens()
                .config("resilience.product-service.circuit-breaker.open-delay", "PT0.5S")
                .config("events.ack-wait", "PT2S");
        add(builder, new UserService(), "user-service", run);
        add(builder, new ProductService(), "product-service", run);
        add(builder, new InventoryService(), "inventory-service", run);
        add(builder, new OrderService(), "order-service", run);
        add(builder, new GatewayService(), "gateway", run);
        return builder;
    }

    static void add(TestSystem.Builder builder, Service service, String name, String run) {
        Map<String, String> config = new HashMap<>();
        config.put("db.url", "jdbc:h2:mem:" + name + "-" + run + ";DB_CLOSE_DELAY=-1");
        builder.addService(service, config);
    }

    static User user(ShopApi shop) {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        return shop.registerUser(new NewUser("Ada " + tag, "ada-" + tag + "@example.com"));
    }

    static Product product(ShopApi shop, long priceCents, int stock) {
        Product product = shop.createProduct(new NewProduct("Widget", priceCents, stock));
        eventually(() -> assertEquals(new Stock(product.id(), stock, 0), shop.stock(product.id())));
        return product;
    }
}
