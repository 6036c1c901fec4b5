package dev.flotilla.sample.shop;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.flotilla.core.ServiceHandle;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReleased;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The inventory's answer never comes (the inventory is stopped): after {@code orders.reserve-timeout} (two seconds
 * here) the order is rejected and what its saga may have started is undone; when the inventory is back, the
 * reservation it then makes is released, so no stock stays held for the rejected order.
 */
class ShopReserveTimeoutTest {
    private static final Ledgers LEDGERS = new Ledgers();

    @RegisterExtension
    static final TestSystem SYSTEM = Shop.system(withOrders(LEDGERS.config(Map.of())));

    private final ShopApi shop = Shop.api(SYSTEM);

    private static Map<String, Map<String, String>> withOrders(Map<String, Map<String, String>> config) {
        Map<String, Map<String, String>> all = new HashMap<>(config);
        all.put("order-service", Map.of("orders.reserve-timeout", "PT2S"));
        return all;
    }

    @AfterAll
    static void closeLedgers() {
        LEDGERS.close();
    }

    @Test
    void anAnswerThatNeverComesRejectsTheOrderAndCompensates() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 3);
        ServiceHandle inventory = SYSTEM.service("inventory-service");
        inventory.stop();

        Order placed = shop.placeOrder(Shop.order(user, product, 2));

        eventually(Duration.ofSeconds(20), () -> assertEquals(Status.REJECTED, shop.order(placed.id()).status()));
        assertEquals("no reply from reserve-stock within PT2S", shop.order(placed.id()).reason());
        SYSTEM.messages().await(ReleaseStock.SUBJECT, ReleaseStock.class, c -> c.orderId().equals(placed.id()));
        assertEquals(List.of(), LEDGERS.payments(placed.id()), "nothing was charged");
        assertEquals(0, LEDGERS.creditUsed(user.id()));

        // Back, the inventory takes both commands, in either order: the stock ends where it began.
        inventory.start();
        SYSTEM.messages().await(StockReleased.SUBJECT, StockReleased.class, e -> e.orderId().equals(placed.id()),
                                Duration.ofSeconds(20));
        eventually(Duration.ofSeconds(20), () -> assertEquals(1, Stream.concat(
                SYSTEM.messages().all(StockReserved.SUBJECT, StockReserved.class).stream().map(StockReserved::orderId),
                SYSTEM.messages().all(StockRejected.SUBJECT, StockRejected.class).stream().map(StockRejected::orderId))
                .filter(placed.id()::equals).distinct().count(), "the reservation was answered"));
        eventually(Duration.ofSeconds(20), () -> {
            List<String> effects = LEDGERS.stock(placed.id());
            assertEquals(effects.contains("RESERVE " + product.id() + " 2")
                                 ? List.of("RESERVE " + product.id() + " 2", "RELEASE " + product.id() + " 2")
                                 : List.of(), effects);
            assertEquals(new Stock(product.id(), 3, 0), shop.stock(product.id()));
        });
        // The reservation answered late changed nothing: the order stays rejected, and a new order goes through.
        Order next = shop.placeOrder(Shop.order(user, product, 3));
        eventually(Duration.ofSeconds(20), () -> assertEquals(Status.CONFIRMED, shop.order(next.id()).status()));
        assertEquals(Status.REJECTED, shop.order(placed.id()).status());
        assertEquals(300, LEDGERS.creditUsed(user.id()));
    }
}
