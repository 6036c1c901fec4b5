package dev.flotilla.sample.shop;

import java.util.List;
import java.util.Map;

import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.gateway.ShopApi.OrderSummary;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.inventory.api.ReserveStock;
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
 * The order saga's failures and compensations in the whole shop, proved on the participants' effect logs: every user
 * has a credit limit of 1,000 cents here.
 */
class ShopSagaTest {
    private static final Ledgers LEDGERS = new Ledgers();

    @RegisterExtension
    static final TestSystem SYSTEM = Shop.system(LEDGERS.config(Map.of("users.credit-limit-cents", "1000")));

    private final ShopApi shop = Shop.api(SYSTEM);

    @AfterAll
    static void closeLedgers() {
        LEDGERS.close();
    }

    @Test
    void aDeclinedPaymentRejectsTheOrderWithItsReasonReleasesItsStockAndTakesNoCredit() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 600, 5);
        Order first = shop.placeOrder(Shop.order(user, product, 1));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(first.id()).status()));
        assertEquals(600, LEDGERS.creditUsed(user.id()));

        Order second = shop.placeOrder(Shop.order(user, product, 1));

        eventually(() -> assertEquals(Status.REJECTED, shop.order(second.id()).status()));
        assertEquals("payment declined: credit limit exceeded: 600 cents asked, 400 of 1000 cents left",
                     shop.order(second.id()).reason());
        // The stock reserved for it was given back (the compensation), and no credit was taken.
        eventually(() -> assertEquals(List.of("RESERVE " + product.id() + " 1", "RELEASE " + product.id() + " 1"),
                                      LEDGERS.stock(second.id())));
        assertEquals(new Stock(product.id(), 4, 1), shop.stock(product.id()));
        assertEquals(List.of(), LEDGERS.payments(second.id()));
        assertEquals(600, LEDGERS.creditUsed(user.id()));
        eventually(() -> assertEquals(List.of(new OrderSummary(first.id(), Status.CONFIRMED, 600, null),
                                              new OrderSummary(second.id(), Status.REJECTED, 600,
                                                               shop.order(second.id()).reason())),
                                      shop.orderHistory(user.id())));
    }

    @Test
    void cancellingAConfirmedOrderReleasesItsStockAndRefundsItOnce() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 300, 3);
        Order placed = shop.placeOrder(Shop.order(user, product, 2));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));
        assertEquals(600, LEDGERS.creditUsed(user.id()));

        assertEquals(Status.CANCELLED, shop.cancelOrder(placed.id()).status());
        assertEquals(Status.CANCELLED, shop.cancelOrder(placed.id()).status());

        eventually(() -> {
            assertEquals(List.of("CHARGE 600", "REFUND 600"), LEDGERS.payments(placed.id()));
            assertEquals(List.of("RESERVE " + product.id() + " 2", "RELEASE " + product.id() + " 2"),
                         LEDGERS.stock(placed.id()));
        });
        assertEquals(0, LEDGERS.creditUsed(user.id()));
        assertEquals(new Stock(product.id(), 3, 0), shop.stock(product.id()));
    }

    @Test
    void aRepeatedCommandOrAnswerChangesNothingTwice() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 5);
        Order placed = shop.placeOrder(Shop.order(user, product, 2));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));

        // The command again, with a message id of its own (as a redelivery after the stream's duplicate window),
        // and the inventory's answer again.
        ReserveStock command = SYSTEM.messages().await(ReserveStock.SUBJECT, ReserveStock.class,
                                                       c -> c.orderId().equals(placed.id()));
        SYSTEM.messagingAs("order-service").publish(ReserveStock.SUBJECT, command);
        eventually(() -> assertEquals(2, SYSTEM.messages().all(StockReserved.SUBJECT, StockReserved.class).stream()
                .filter(answer -> answer.orderId().equals(placed.id())).count(), "answered again"));
        SYSTEM.messagingAs("inventory-service").publish(StockReserved.SUBJECT, new StockReserved(placed.id()));

        // A later order passes both consumers, so everything before it was handled.
        Order later = shop.placeOrder(Shop.order(user, product, 1));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(later.id()).status()));
        assertEquals(List.of("RESERVE " + product.id() + " 2"), LEDGERS.stock(placed.id()));
        assertEquals(List.of("CHARGE 200"), LEDGERS.payments(placed.id()));
        assertEquals(300, LEDGERS.creditUsed(user.id()));
        assertEquals(new Stock(product.id(), 2, 3), shop.stock(product.id()));
        assertEquals(Status.CONFIRMED, shop.order(placed.id()).status());
    }
}
