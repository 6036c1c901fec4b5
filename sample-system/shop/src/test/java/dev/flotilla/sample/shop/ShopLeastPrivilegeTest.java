package dev.flotilla.sample.shop;

import java.util.List;
import java.util.Map;

import dev.flotilla.messaging.permissions.NatsPermissions;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.gateway.ShopApi.OrderSummary;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.LogLine;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shop's whole order flow under least-privilege NATS: each service connects with an NKey user and an inbox of
 * its own, allowed exactly what it was seen doing at start (its declared events, durable consumers, streams, dead
 * letters, its {@code $SRV} name), with no grant added by hand.
 */
class ShopLeastPrivilegeTest {
    @RegisterExtension
    static final TestSystem SYSTEM = Shop.builder(Map.of())
            .leastPrivilegeNats()
            .build();

    private final ShopApi shop = Shop.api(SYSTEM);

    @Test
    void anOrderIsPlacedConfirmedAndCancelledUnderEachServicesOwnPermissions() {
        NatsPermissions permissions = SYSTEM.natsPermissions().orElseThrow();
        assertTrue(permissions.publishAllowed("order-service").contains(OrderPlaced.SUBJECT));
        assertFalse(permissions.publishAllowed("inventory-service").contains(OrderPlaced.SUBJECT),
                    "only the order-service may publish its events");
        assertTrue(permissions.publishAllowed("order-service").contains(ReserveStock.SUBJECT));
        assertFalse(permissions.publishAllowed("gateway").contains(ReserveStock.SUBJECT),
                    "only the order-service may send the inventory its commands");
        assertTrue(permissions.publishAllowed("order-service").contains("$KV.sagas-order-service.>"),
                   "the order sagas' bucket is in the order-service's usage");
        assertFalse(permissions.publishAllowed("gateway").stream().anyMatch(s -> s.contains("sagas-order-service")),
                    "no other service may touch the order sagas' state");
        assertTrue(permissions.publishAllowed("inventory-service").contains("$JS.ACK.INVENTORY.inventory-service-"
                + ReserveStock.SUBJECT.replace('.', '_') + ".>"), permissions.publishAllowed("inventory-service")
                .toString());

        User user = Shop.user(shop);
        Product product = Shop.product(shop, 250, 5);
        Order placed = shop.placeOrder(Shop.order(user, product, 2));
        SYSTEM.messages().await(OrderPlaced.SUBJECT, OrderPlaced.class, e -> e.orderId().equals(placed.id()));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));
        assertEquals(new Stock(product.id(), 3, 2), shop.stock(product.id()));
        eventually(() -> assertEquals(List.of(new OrderSummary(placed.id(), Status.CONFIRMED, 500, null)),
                                      shop.orderHistory(user.id())));

        assertEquals(Status.CANCELLED, shop.cancelOrder(placed.id()).status());
        eventually(() -> assertEquals(new Stock(product.id(), 5, 0), shop.stock(product.id())));
        eventually(() -> assertEquals(Status.CANCELLED, shop.orderHistory(user.id()).getFirst().status()));

        Order tooMany = shop.placeOrder(Shop.order(user, product, 6));
        eventually(() -> assertEquals(Status.REJECTED, shop.order(tooMany.id()).status()));

        for (String service : permissions.users()) {
            List<LogLine> refused = SYSTEM.logs(service).stream()
                    .filter(l -> l.toString().contains("Permissions Violation")).toList();
            assertEquals(List.of(), refused, service + " was refused something");
        }
    }
}
