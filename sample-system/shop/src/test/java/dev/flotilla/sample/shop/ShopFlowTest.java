package dev.flotilla.sample.shop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.core.http.RemoteNotFoundException;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.gateway.ShopApi.OrderSummary;
import dev.flotilla.sample.gateway.ShopApi.OrderView;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.order.api.OrderNotCancellableException;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.UnknownProductException;
import dev.flotilla.sample.order.api.UnknownUserException;
import dev.flotilla.sample.product.ProductService;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.DuplicateEmailException;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.LogLine;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shop's flows through the gateway, on a real nats-server with JetStream. */
class ShopFlowTest {
    @RegisterExtension
    static final TestSystem SYSTEM = Shop.system();

    private final ShopApi shop = Shop.api(SYSTEM);

    @Test
    void anOrderIsConfirmedAndShowsInTheUsersHistory() {
        assertEquals("nats", SYSTEM.transport());
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 250, 5);

        Order placed = shop.placeOrder(Shop.order(user, product, 2));
        assertEquals(Status.PENDING, placed.status());
        SYSTEM.messages().await(OrderPlaced.SUBJECT, OrderPlaced.class, e -> e.orderId().equals(placed.id()));

        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));
        OrderView view = shop.order(placed.id());
        assertEquals(500, view.totalCents());
        assertNull(view.reason());
        assertEquals(List.of(Map.of("productId", product.id(), "name", "Widget")), view.productDetails());
        assertEquals(new Stock(product.id(), 3, 2), shop.stock(product.id()));
        eventually(() -> assertEquals(List.of(new OrderSummary(placed.id(), Status.CONFIRMED, 500, null)),
                                      shop.orderHistory(user.id())));

        // One trace from the gateway's request through every step of the order's saga to the inventory's
        // reservation; the saga's steps say which saga they belong to.
        String traceId = line("gateway", "Placing an order for user " + user.id()).mdc("traceId").orElseThrow();
        LogLine stored = line("order-service", "Order " + placed.id() + " placed");
        assertEquals(traceId, stored.mdc("traceId").orElseThrow());
        assertEquals(placed.id(), stored.mdc("sagaId").orElseThrow());
        eventually(() -> assertEquals(traceId, line("inventory-service", "Reserved stock for order "
                + placed.id()).mdc("traceId").orElseThrow()));
        eventually(() -> {
            LogLine confirmed = line("order-service", "Order " + placed.id() + " confirmed");
            assertEquals(traceId, confirmed.mdc("traceId").orElseThrow());
            assertEquals("place-order", confirmed.mdc("saga").orElseThrow());
        });
    }

    @Test
    void anOrderIsRejectedForLackOfStockAndNothingIsReserved() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 1);

        Order placed = shop.placeOrder(Shop.order(user, product, 2));

        eventually(() -> assertEquals(Status.REJECTED, shop.order(placed.id()).status()));
        assertEquals("insufficient stock for product " + product.id() + ": 2 requested",
                     shop.order(placed.id()).reason());
        assertEquals(new Stock(product.id(), 1, 0), shop.stock(product.id()));
        eventually(() -> assertEquals(Status.REJECTED, shop.orderHistory(user.id()).getFirst().status()));
    }

    @Test
    void cancellingAConfirmedOrderReleasesItsStockAndRefundsIt() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 4);
        Order placed = shop.placeOrder(Shop.order(user, product, 3));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));
        assertEquals(new Stock(product.id(), 1, 3), shop.stock(product.id()));

        assertEquals(Status.CANCELLED, shop.cancelOrder(placed.id()).status());

        eventually(() -> assertEquals(new Stock(product.id(), 4, 0), shop.stock(product.id())));
        assertEquals(Status.CANCELLED, shop.cancelOrder(placed.id()).status(), "cancelling again changes nothing");
        eventually(() -> assertEquals(Status.CANCELLED, shop.orderHistory(user.id()).getFirst().status()));
        assertEquals(new Stock(product.id(), 4, 0), shop.stock(product.id()));
    }

    @Test
    void aRejectedOrderCannotBeCancelled() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 0);
        Order placed = shop.placeOrder(Shop.order(user, product, 1));
        eventually(() -> assertEquals(Status.REJECTED, shop.order(placed.id()).status()));

        OrderNotCancellableException e = assertThrows(OrderNotCancellableException.class,
                                                      () -> shop.cancelOrder(placed.id()));
        assertTrue(e.problem().detail().contains("only a CONFIRMED order can be cancelled"), e.problem().detail());
    }

    @Test
    void fiftyConcurrentOrdersForTenUnitsConfirmExactlyTen() throws Exception {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 10, 10);
        List<Future<Order>> futures = new ArrayList<>();
        // Ten shoppers at a time (each placing runs three saga steps before it answers): every reservation still
        // races the others at the inventory.
        Semaphore shoppers = new Semaphore(10);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                futures.add(clients.submit(() -> {
                    shoppers.acquire();
                    try {
                        return shop.placeOrder(Shop.order(user, product, 1));
                    } finally {
                        shoppers.release();
                    }
                }));
            }
        }
        List<String> ids = new ArrayList<>();
        for (Future<Order> future : futures) {
            ids.add(future.get().id());
        }

        eventually(Duration.ofSeconds(30), () -> {
            Map<Status, Long> outcomes = ids.stream().map(id -> shop.order(id).status())
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertEquals(Map.of(Status.CONFIRMED, 10L, Status.REJECTED, 40L), outcomes);
        });
        assertEquals(new Stock(product.id(), 0, 10), shop.stock(product.id()));
    }

    @Test
    void invalidInputIsAProblemWithTheRightStatus() {
        RemoteBadRequestException email = assertThrows(RemoteBadRequestException.class,
                () -> shop.registerUser(new NewUser("Bob", "not-an-email")));
        assertEquals("Invalid request: email: must be an e-mail address.", email.problem().detail());
        assertThrows(RemoteBadRequestException.class, () -> shop.registerUser(new NewUser(" ", "bob@example.com")));

        User user = Shop.user(shop);
        DuplicateEmailException duplicate = assertThrows(DuplicateEmailException.class,
                () -> shop.registerUser(new NewUser("Other", user.email())));
        assertEquals(409, duplicate.problem().status());

        Product product = Shop.product(shop, 100, 1);
        UnknownUserException unknownUser = assertThrows(UnknownUserException.class,
                () -> shop.placeOrder(new PlaceOrder("no-such-user", List.of(new OrderLine(product.id(), 1)))));
        assertEquals(422, unknownUser.problem().status());
        assertEquals("urn:flotilla:problem:unknown-user", unknownUser.problem().type().toString());
        UnknownProductException unknownProduct = assertThrows(UnknownProductException.class,
                () -> shop.placeOrder(new PlaceOrder(user.id(), List.of(new OrderLine("no-such-product", 1)))));
        assertEquals(422, unknownProduct.problem().status());
        assertEquals("No product with id no-such-product", unknownProduct.problem().detail());
        assertThrows(RemoteBadRequestException.class, () -> shop.placeOrder(new PlaceOrder(user.id(), List.of())));
        assertThrows(RemoteNotFoundException.class, () -> shop.order("no-such-order"));
        assertThrows(RemoteNotFoundException.class, () -> shop.user("no-such-user"));
        assertTrue(shop.orderHistory("no-such-user").isEmpty());
    }

    @Test
    void theOrderViewNamesItsProducts() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 1);
        Order placed = shop.placeOrder(Shop.order(user, product, 1));
        Object details = shop.order(placed.id()).productDetails();
        assertEquals(List.of(Map.of("productId", product.id(), "name", "Widget")), details);
    }

    @Test
    void noServiceOfTheShopCallsTheDeprecatedProductApi() {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 100, 1);
        assertEquals(product, shop.product(product.id()));
        Order placed = shop.placeOrder(Shop.order(user, product, 1));
        assertEquals(100, shop.order(placed.id()).totalCents());
        ProductService products = (ProductService) SYSTEM.service("product-service").service();
        assertEquals(Map.of(), products.deprecatedV1Calls());
    }

    private static LogLine line(String service, String message) {
        return SYSTEM.logs(service).stream().filter(l -> l.message().startsWith(message)).findFirst()
                .orElseThrow(() -> new AssertionError("No line '" + message + "' in " + service));
    }
}
