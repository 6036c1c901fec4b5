package dev.flotilla.sample.order;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.core.http.RemoteConflictException;
import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderItem;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderNotCancellableException;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.UnknownProductException;
import dev.flotilla.sample.order.api.UnknownUserException;
import dev.flotilla.sample.order.api.OrderRejected;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.user.api.PaymentDeclinedException;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.ServiceName;
import dev.flotilla.testkit.TestSystem;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order-service with its saga steps driven by hand: the user and product services are small stand-ins serving
 * the published contracts over real HTTP (the user-service's takes payments up to 1,000 cents per charge), and the
 * inventory's answers to the commands the saga sends are published by the test.
 */
class OrderServiceTest {
    /** The stand-in user-service's payments: idempotency key to "CHARGED amount" or "REFUNDED amount". */
    private static final Map<String, String> PAYMENTS = new ConcurrentHashMap<>();

    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder().nats(NatsMode.IN_JVM)
            // The inventory is left out: the test publishes its answers, signed as the inventory-service.
            .identities(InventoryApi.SERVICE)
            .addService(new StandIn(UserApi.SERVICE, rules -> rules.register(HttpContracts.serve(UserApi.class,
                    new UserApi() {
                        @Override
                        public User register(NewUser user) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public User get(String id) {
                            if (id.contains("!")) {
                                throw new BadRequestException("Not a user id: " + id);
                            }
                            if (!id.equals("ada")) {
                                throw new NotFoundException("No user " + id);
                            }
                            return new User("ada", "Ada", "ada@example.com");
                        }

                        @Override
                        public Payment charge(String id, String idempotencyKey, Charge charge) {
                            if (charge.amountCents() > 1_000) {
                                throw new PaymentDeclinedException("credit limit exceeded");
                            }
                            PAYMENTS.putIfAbsent(idempotencyKey, "CHARGED " + charge.amountCents());
                            return new Payment(idempotencyKey, id, charge.orderId(), charge.amountCents(),
                                               PaymentStatus.CHARGED);
                        }

                        @Override
                        public Payment refund(String id, String idempotencyKey, Refund refund) {
                            PAYMENTS.computeIfPresent(idempotencyKey, (k, v) -> v.replace("CHARGED", "REFUNDED"));
                            return new Payment(idempotencyKey, id, refund.orderId(), 0, PaymentStatus.REFUNDED);
                        }
                    }))))
            .addService(new StandIn(ProductApiV2.SERVICE, rules -> rules.register(HttpContracts.serve(
                    ProductApiV2.class, new ProductApiV2() {
                        @Override
                        public Product create(NewProduct product) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public Product get(String id) {
                            if (!id.equals("lamp")) {
                                throw new NotFoundException("No product " + id);
                            }
                            return new Product("lamp", "Lamp", Money.ofCents(250, "EUR"));
                        }
                    }))))
            .addService(new OrderService(), Map.of("db.url", "jdbc:h2:mem:order-service-test;DB_CLOSE_DELAY=-1"))
            .build();

    @Test
    void anOrderIsStoredReservedPaidAndConfirmedThenCancelled(@ServiceName(OrderApi.SERVICE) OrderApi orders) {
        Order placed = orders.place(new PlaceOrder("ada", List.of(new OrderLine("lamp", 1),
                                                                   new OrderLine("lamp", 2))));
        assertEquals(Status.PENDING, placed.status());
        assertEquals(List.of(new OrderItem("lamp", 3, 250)), placed.items(), "lines of one product are merged");
        assertEquals(750, placed.totalCents());
        assertEquals(placed, orders.get(placed.id()), "stored before place answered");
        SYSTEM.messages().await(OrderPlaced.SUBJECT, OrderPlaced.class, e -> e.orderId().equals(placed.id()));
        ReserveStock command = SYSTEM.messages().await(ReserveStock.SUBJECT, ReserveStock.class,
                                                       c -> c.orderId().equals(placed.id()));
        assertEquals(List.of(new ReserveStock.Item("lamp", 3)), command.items());

        SYSTEM.messagingAs(InventoryApi.SERVICE).publish(StockReserved.SUBJECT, new StockReserved(placed.id()));
        SYSTEM.messages().await(OrderConfirmed.SUBJECT, OrderConfirmed.class,
                                e -> e.orderId().equals(placed.id()) && e.totalCents() == 750);
        assertEquals(Status.CONFIRMED, orders.get(placed.id()).status());
        assertEquals("CHARGED 750", PAYMENTS.get(OrderFlow.chargeKey(placed.id())));

        // A late or repeated answer does not change a decided order.
        SYSTEM.messagingAs(InventoryApi.SERVICE).publish(StockRejected.SUBJECT, new StockRejected(placed.id(), "too late"));
        assertEquals(Status.CANCELLED, orders.cancel(placed.id()).status());
        SYSTEM.messages().await(OrderCancelled.SUBJECT, OrderCancelled.class, e -> e.orderId().equals(placed.id()));
        SYSTEM.messages().await(ReleaseStock.SUBJECT, ReleaseStock.class, c -> c.orderId().equals(placed.id()));
        eventually(() -> assertEquals("REFUNDED 750", PAYMENTS.get(OrderFlow.chargeKey(placed.id()))));
        assertEquals(Status.CANCELLED, orders.cancel(placed.id()).status(), "cancelling again changes nothing");
    }

    @Test
    void aRejectedOrderKeepsItsReasonAndCannotBeCancelled(@ServiceName(OrderApi.SERVICE) OrderApi orders) {
        Order placed = orders.place(new PlaceOrder("ada", List.of(new OrderLine("lamp", 9))));
        SYSTEM.messages().await(ReserveStock.SUBJECT, ReserveStock.class, c -> c.orderId().equals(placed.id()));
        SYSTEM.messagingAs(InventoryApi.SERVICE).publish(StockRejected.SUBJECT, new StockRejected(placed.id(), "insufficient stock"));
        eventually(() -> assertEquals("insufficient stock", orders.get(placed.id()).reason()));
        assertEquals(Status.REJECTED, orders.get(placed.id()).status());
        SYSTEM.messages().await(OrderRejected.SUBJECT, OrderRejected.class,
                                e -> e.orderId().equals(placed.id()) && e.reason().equals("insufficient stock"));
        assertEquals(null, PAYMENTS.get(OrderFlow.chargeKey(placed.id())), "nothing was charged");
        assertThrows(OrderNotCancellableException.class, () -> orders.cancel(placed.id()));
    }

    @Test
    void aDeclinedPaymentRejectsTheOrderAndReleasesItsStock(@ServiceName(OrderApi.SERVICE) OrderApi orders) {
        Order placed = orders.place(new PlaceOrder("ada", List.of(new OrderLine("lamp", 5))));   // 1,250 cents
        SYSTEM.messages().await(ReserveStock.SUBJECT, ReserveStock.class, c -> c.orderId().equals(placed.id()));
        SYSTEM.messagingAs(InventoryApi.SERVICE).publish(StockReserved.SUBJECT, new StockReserved(placed.id()));
        SYSTEM.messages().await(ReleaseStock.SUBJECT, ReleaseStock.class, c -> c.orderId().equals(placed.id()));
        eventually(() -> assertEquals(Status.REJECTED, orders.get(placed.id()).status()));
        assertEquals("payment declined: credit limit exceeded", orders.get(placed.id()).reason());
        assertEquals(null, PAYMENTS.get(OrderFlow.chargeKey(placed.id())), "nothing was charged");
    }

    @Test
    void anUnknownUserOrProductIs422(@ServiceName(OrderApi.SERVICE) OrderApi orders) {
        UnknownUserException user = assertThrows(UnknownUserException.class,
                () -> orders.place(new PlaceOrder("bob", List.of(new OrderLine("lamp", 1)))));
        assertEquals(422, user.problem().status());
        assertEquals("No user with id bob", user.problem().detail());
        UnknownProductException product = assertThrows(UnknownProductException.class,
                () -> orders.place(new PlaceOrder("ada", List.of(new OrderLine("sofa", 1)))));
        assertEquals(422, product.problem().status());
        assertEquals("urn:flotilla:problem:unknown-product", product.problem().type().toString());
    }

    @Test
    void anIdTheOtherServiceRefusesIsUnknownNotAnOutage(@ServiceName(OrderApi.SERVICE) OrderApi orders) {
        // Ids the order contract admits but the user- or product-service refuses (400), or that the typed client
        // cannot put in a URL ('/', '..'): the caller's mistake (422), not a 503 that would count against the
        // order-service at the gateway. Longer ids are refused by the order contract itself (400).
        for (String userId : List.of("malformed!", "a/b", "..")) {
            UnknownUserException user = assertThrows(UnknownUserException.class,
                    () -> orders.place(new PlaceOrder(userId, List.of(new OrderLine("lamp", 1)))));
            assertEquals(422, user.problem().status(), user.getMessage());
            assertEquals("urn:flotilla:problem:unknown-user", user.problem().type().toString());
            assertTrue(user.problem().detail().length() < 200, "the id is quoted back short");
        }
        UnknownProductException product = assertThrows(UnknownProductException.class,
                () -> orders.place(new PlaceOrder("ada", List.of(new OrderLine("a/b", 1)))));
        assertEquals(422, product.problem().status(), product.getMessage());
        RemoteBadRequestException tooLong = assertThrows(RemoteBadRequestException.class,
                () -> orders.place(new PlaceOrder("u".repeat(3_000), List.of(new OrderLine("lamp", 1)))));
        assertEquals(400, tooLong.status());
    }

    @Test
    void quantitiesThatWouldOverflowAreRefusedByTheContract(@ServiceName(OrderApi.SERVICE) OrderApi orders) {
        // The contract bounds a line to 10,000 units and an order to 100 lines, so two lines of Integer.MAX_VALUE
        // never reach the merge (which still refuses a sum past an int), and no admitted total passes a long.
        RemoteBadRequestException quantity = assertThrows(RemoteBadRequestException.class,
                () -> orders.place(new PlaceOrder("ada", List.of(new OrderLine("lamp", Integer.MAX_VALUE),
                                                                  new OrderLine("lamp", Integer.MAX_VALUE)))));
        assertTrue(quantity.problem().detail().contains("items/0/quantity: must be less than or equal to 10000"),
                   quantity.problem().detail());
    }

    /** A stand-in for another team's service: only its published contract, served over HTTP. */
    private static final class StandIn extends Service {
        private final java.util.function.Consumer<HttpRules> routes;

        StandIn(String name, java.util.function.Consumer<HttpRules> routes) {
            super(name, "test");
            this.routes = routes;
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            routes.accept(rules);
        }
    }
}
