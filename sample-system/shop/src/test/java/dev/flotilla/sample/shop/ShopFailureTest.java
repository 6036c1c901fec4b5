package dev.flotilla.sample.shop;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceState;
import dev.flotilla.messaging.MessagingHeaders;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.CapturedMessage;
import dev.flotilla.testkit.Faults;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shop when parts of it fail: degraded answers, nothing lost, poison set aside. */
class ShopFailureTest {
    @RegisterExtension
    static final TestSystem SYSTEM = Shop.system();

    private final ShopApi shop = Shop.api(SYSTEM);

    @Test
    void theOrderViewDegradesWhileProductServiceFailsAndRecoversAfterwards() throws Exception {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 5);
        Order placed = shop.placeOrder(Shop.order(user, product, 1));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));
        ServiceHandle gateway = SYSTEM.service(ShopApi.SERVICE);

        Faults productFaults = SYSTEM.faults("product-service").failRequests(1000, 500);
        eventually(() -> {
            assertEquals(ShopApi.UNAVAILABLE, shop.order(placed.id()).productDetails());
            String health = Shop.get(gateway.uri().resolve("/health/ready")).body();
            assertTrue(health.contains("OPEN"), "the breaker for product-service is open: " + health);
        });
        assertEquals(Status.CONFIRMED, shop.order(placed.id()).status(), "the order itself is still answered");
        int failedCalls = productFaults.injected();
        shop.order(placed.id());
        assertEquals(failedCalls, productFaults.injected(), "an open breaker does not call product-service");

        productFaults.clear();
        eventually(() -> {
            assertEquals(1, ((List<?>) shop.order(placed.id()).productDetails()).size());
            String health = Shop.get(gateway.uri().resolve("/health/ready")).body();
            assertFalse(health.contains("OPEN"), health);
        });

        // Stopped rather than failing: the same fallback.
        SYSTEM.service("product-service").stop();
        assertEquals(ShopApi.UNAVAILABLE, shop.order(placed.id()).productDetails());
        SYSTEM.service("product-service").start();
        eventually(() -> assertEquals(1, ((List<?>) shop.order(placed.id()).productDetails()).size()));
    }

    @Test
    void ordersPlacedWhileInventoryIsStoppedCompleteWhenItIsBack() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 3);
        ServiceHandle inventory = SYSTEM.service("inventory-service");

        inventory.stop();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(shop.placeOrder(Shop.order(user, product, 1)).id());
        }
        SYSTEM.messages().awaitCount(OrderPlaced.SUBJECT, 5, Duration.ofSeconds(10));
        ids.forEach(id -> assertEquals(Status.PENDING, shop.order(id).status()));

        inventory.start();
        assertEquals(ServiceState.READY, inventory.state());
        eventually(Duration.ofSeconds(20), () -> {
            List<Status> outcomes = ids.stream().map(id -> shop.order(id).status()).sorted().toList();
            assertEquals(List.of(Status.CONFIRMED, Status.CONFIRMED, Status.CONFIRMED, Status.REJECTED,
                                 Status.REJECTED), outcomes);
        });
        assertEquals(new Stock(product.id(), 0, 3), shop.stock(product.id()));
    }

    @Test
    void aPoisonMessageGoesToTheDeadLetterSubjectAndConsumingGoesOn() {
        // Signed by the order-service, so it is the payload that fails, not the publisher.
        SYSTEM.messagingAs("order-service").publish(ReserveStock.SUBJECT, "{not json".getBytes(StandardCharsets.UTF_8));

        CapturedMessage dead = SYSTEM.messages().awaitCount("deadletter.inventory-service", 1, Duration.ofSeconds(10))
                .getFirst();
        assertEquals("{not json", dead.text());
        assertEquals(ReserveStock.SUBJECT, dead.header(MessagingHeaders.ORIGINAL_SUBJECT).orElseThrow());
        assertTrue(dead.header(MessagingHeaders.DEAD_LETTER_REASON).orElseThrow().contains("undecodable"),
                   dead.headers().toString());

        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 1);
        Order placed = shop.placeOrder(Shop.order(user, product, 1));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));
    }
}
