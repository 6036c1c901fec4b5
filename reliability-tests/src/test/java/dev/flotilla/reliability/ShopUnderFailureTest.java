package dev.flotilla.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.CapturedMessage;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole sample shop through failures of NATS: orders placed while the nats-server restarts all complete, and
 * commands delivered twice change nothing twice (the inventory's handlers are idempotent).
 */
class ShopUnderFailureTest {
    @RegisterExtension
    static final TestSystem SYSTEM = SampleShop.builder().build();

    private final ShopApi shop = SYSTEM.client(ShopApi.class, ShopApi.SERVICE,
                                              SYSTEM.userToken("shop-operator", ShopApi.OPERATOR));

    @Test
    void ordersPlacedAcrossANatsRestartAllCompleteAndStockIsReservedOnce() {
        int orders = Heavy.pick(60, 300);
        User user = SampleShop.user(shop);
        Product product = SampleShop.product(shop, 100, orders);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            if (i == orders / 3) {
                SYSTEM.stopNats();
                SYSTEM.startNats();
            }
            ids.add(shop.placeOrder(new PlaceOrder(user.id(), List.of(new OrderLine(product.id(), 1)))).id());
        }
        eventually(Duration.ofSeconds(60), () -> assertEquals(
                Set.of(Status.CONFIRMED), ids.stream().map(id -> shop.order(id).status()).collect(Collectors.toSet())));
        Stock stock = shop.stock(product.id());
        Measured.scenario("shop-across-nats-restart").put("orders", orders)
                .put("confirmed", ids.stream().filter(id -> shop.order(id).status() == Status.CONFIRMED).count())
                .put("lost", 0).put("units-reserved", stock.reserved()).put("units-available", stock.available())
                .put("double-reservations", stock.reserved() - orders).print();
        assertEquals(new Stock(product.id(), 0, orders), stock);
    }

    @Test
    void everyReserveStockCommandDeliveredAgainChangesNothing() {
        int orders = 20;
        User user = SampleShop.user(shop);
        Product product = SampleShop.product(shop, 100, orders + 10);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            ids.add(shop.placeOrder(new PlaceOrder(user.id(), List.of(new OrderLine(product.id(), 1)))).id());
        }
        eventually(() -> ids.forEach(id -> assertEquals(Status.CONFIRMED, shop.order(id).status())));
        Stock before = shop.stock(product.id());
        // The same commands again, signed by the order-service, with new message ids so the stream's de-duplication
        // does not catch them: what a redelivery after a lost ack looks like to a consumer.
        List<CapturedMessage> placed = SYSTEM.messages().on(ReserveStock.SUBJECT).stream()
                .filter(m -> ids.stream().anyMatch(id -> m.text().contains(id))).toList();
        Set<String> distinct = placed.stream().map(CapturedMessage::text).collect(Collectors.toSet());
        distinct.forEach(text -> SYSTEM.messagingAs("order-service").publish(ReserveStock.SUBJECT,
                                                            text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        SYSTEM.messages().awaitCount(ReserveStock.SUBJECT, placed.size() + distinct.size(), Duration.ofSeconds(10));
        // Wait for a later event to pass through the same consumers, then compare.
        String marker = shop.placeOrder(new PlaceOrder(user.id(), List.of(new OrderLine(product.id(), 1)))).id();
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(marker).status()));
        Stock after = shop.stock(product.id());
        Measured.scenario("shop-duplicate-commands").put("commands-delivered-again", distinct.size())
                .put("reserved-before", before.reserved()).put("reserved-after (one more order)", after.reserved())
                .put("double-side-effects", after.reserved() - before.reserved() - 1).print();
        assertEquals(before.reserved() + 1, after.reserved());
        ids.forEach(id -> assertEquals(Status.CONFIRMED, shop.order(id).status()));
    }
}
