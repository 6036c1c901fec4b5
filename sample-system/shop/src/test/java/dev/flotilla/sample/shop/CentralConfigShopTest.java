package dev.flotilla.sample.shop;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shop's shared settings in the central bucket, seeded from central-config.yaml as ShopMain does: the
 * product-details flag and the gateway's timeout toward the product-service change while the shop runs.
 */
class CentralConfigShopTest {

    @RegisterExtension
    static final TestSystem system = Shop.builder(java.util.Map.of())
            .centralConfig(ShopMain.defaults())
            .build();

    private static ShopApi.OrderView placedOrder(ShopApi shop) {
        Product product = Shop.product(shop, 250, 10);
        Order order = shop.placeOrder(new PlaceOrder(Shop.user(shop).id(), List.of(new OrderLine(product.id(), 1))));
        return shop.order(order.id());
    }

    @Test
    void theProductDetailsFlagSwitchesLive() {
        ShopApi shop = Shop.api(system);
        ShopApi.OrderView view = placedOrder(shop);
        assertTrue(view.productDetails() instanceof List<?>, "details while the flag is on: " + view);

        system.centralConfig().put("shared.features.product-details", "false");
        eventually(() -> assertEquals(ShopApi.UNAVAILABLE, shop.order(view.id()).productDetails()));
    }

    @Test
    void theGatewayTimeoutTowardTheProductServiceChangesLive() {
        ShopApi shop = Shop.api(system);
        ShopApi.OrderView view = placedOrder(shop);
        assertTrue(view.productDetails() instanceof List<?>, "details within the seeded 0.5 s timeout");
        assertEquals("PT0.5S", system.service("gateway").context().config()
                .get("resilience.product-service.timeout.duration").asString().get());

        system.centralConfig().put("gateway.resilience.product-service.timeout.duration", "PT0.05S");
        // A product-service 0.3 s slow now misses the gateway's new 0.05 s timeout, on both attempts.
        eventually(() -> {
            system.faults("product-service").delayRequests(2, Duration.ofMillis(300));
            assertEquals(ShopApi.UNAVAILABLE, shop.order(view.id()).productDetails());
        });
    }
}
