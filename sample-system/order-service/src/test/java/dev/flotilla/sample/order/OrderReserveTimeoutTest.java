package dev.flotilla.sample.order;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.messaging.saga.SagaEvent;
import dev.flotilla.messaging.saga.SagaInstance;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.OrderRejected;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.ServiceName;
import dev.flotilla.testkit.TestClock;
import dev.flotilla.testkit.TestSystem;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inventory's answer never comes: on the test's clock, {@code orders.reserve-timeout} (its default, 30 s) passes
 * in a moment, and the order is rejected with the reason and compensated. The inventory is left out; the user and
 * product services are stand-ins serving their published contracts.
 */
class OrderReserveTimeoutTest {
    private static final TestClock CLOCK = TestClock.create();
    private static final String DB_URL = "jdbc:h2:mem:order-timeout-test;DB_CLOSE_DELAY=-1";
    /** The idempotency keys the stand-in user-service was asked to refund. */
    private static final Set<String> REFUNDED = ConcurrentHashMap.newKeySet();

    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder().nats(NatsMode.IN_JVM).clock(CLOCK)
            // The inventory is left out: it never answers.
            .identities(InventoryApi.SERVICE)
            .addService(new StandIn(UserApi.SERVICE, rules -> rules.register(HttpContracts.serve(UserApi.class,
                    new UserApi() {
                        @Override
                        public User register(NewUser user) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public User get(String id) {
                            return new User(id, "Ada", "ada@example.com");
                        }

                        @Override
                        public Payment charge(String id, String idempotencyKey, Charge charge) {
                            throw new UnsupportedOperationException("no charge: the stock is never reserved");
                        }

                        @Override
                        public Payment refund(String id, String idempotencyKey, Refund refund) {
                            REFUNDED.add(idempotencyKey);
                            return new Payment(idempotencyKey, id, refund.orderId(), 0, PaymentStatus.VOID);
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
                            return new Product(id, "Lamp", Money.ofCents(250, "EUR"));
                        }
                    }))))
            .addService(new OrderService(), Map.of("db.url", DB_URL))
            .build();

    @Test
    void anAnswerThatNeverComesRejectsTheOrderAfterTheReserveTimeout(
            @ServiceName(OrderApi.SERVICE) OrderApi orders) {
        Order placed = orders.place(new PlaceOrder("ada", List.of(new OrderLine("lamp", 2))));
        SYSTEM.messages().await(ReserveStock.SUBJECT, ReserveStock.class, c -> c.orderId().equals(placed.id()));
        assertEquals(SagaState.WAITING, SYSTEM.awaitSaga(OrderApi.SERVICE, OrderFlow.PLACE_ORDER, placed.id(),
                                                         SagaState.WAITING, Duration.ofSeconds(10)).state());

        CLOCK.advance(OrderFlow.DEFAULT_RESERVE_TIMEOUT.plusSeconds(1));

        SagaInstance<?> saga = SYSTEM.awaitSaga(OrderApi.SERVICE, OrderFlow.PLACE_ORDER, placed.id(),
                                                SagaState.FAILED, Duration.ofSeconds(10));
        assertEquals("no reply from reserve-stock within PT30S", saga.failure().orElseThrow());
        Order rejected = orders.get(placed.id());
        assertEquals(Status.REJECTED, rejected.status());
        assertEquals("no reply from reserve-stock within PT30S", rejected.reason());
        SYSTEM.messages().await(OrderRejected.SUBJECT, OrderRejected.class, e -> e.orderId().equals(placed.id()));
        // The command may have had its effect: its stock is released, and the payment key is voided.
        SYSTEM.messages().await(ReleaseStock.SUBJECT, ReleaseStock.class, c -> c.orderId().equals(placed.id()));
        assertEquals(Set.of(OrderFlow.chargeKey(placed.id())), REFUNDED);
    }

    /**
     * The placing request cannot store the order (its table is away): the request still answers {@code PENDING}, and
     * the saga goes on later. When storing fails for good (the step's timeout passes on the test's clock), the order
     * is not lost: once the database takes it, it is stored {@code REJECTED} with the reason, with its events.
     */
    @Test
    void anAcceptedOrderThatCannotBeStoredEndsRejectedNotUnknown(@ServiceName(OrderApi.SERVICE) OrderApi orders)
            throws Exception {
        Order placed;
        try (Connection db = DriverManager.getConnection(DB_URL)) {
            db.createStatement().execute("ALTER TABLE orders RENAME TO orders_away");
            try {
                placed = orders.place(new PlaceOrder("ada", List.of(new OrderLine("lamp", 1))));
                assertEquals(Status.PENDING, placed.status());
                awaitEvent(placed.id(), "record", "retry");

                CLOCK.advance(Duration.ofSeconds(31));   // past the record step's timeout (30 s, the default)
                awaitEvent(placed.id(), "accept", "compensation-retry");
            } finally {
                db.createStatement().execute("ALTER TABLE orders_away RENAME TO orders");
            }
        }
        CLOCK.advance(Duration.ofSeconds(10));   // past the compensation's retry delay
        SagaInstance<?> saga = SYSTEM.awaitSaga(OrderApi.SERVICE, OrderFlow.PLACE_ORDER, placed.id(),
                                                SagaState.FAILED, Duration.ofSeconds(10));
        Order rejected = orders.get(placed.id());
        assertEquals(Status.REJECTED, rejected.status());
        assertTrue(rejected.reason().startsWith("record timed out: "), rejected.reason());
        assertEquals(saga.failure().orElseThrow(), rejected.reason());
        assertEquals(250, rejected.totalCents());   // priced before it failed: one lamp at 250 cents
        SYSTEM.messages().await(OrderPlaced.SUBJECT, OrderPlaced.class, e -> e.orderId().equals(placed.id()));
        SYSTEM.messages().await(OrderRejected.SUBJECT, OrderRejected.class, e -> e.orderId().equals(placed.id()));
        // Nothing was reserved or charged: nothing is given back.
        assertTrue(REFUNDED.stream().noneMatch(key -> key.contains(placed.id())), REFUNDED.toString());
    }

    /** Waits until the saga's history has {@code event} at {@code step}. */
    private static void awaitEvent(String id, String step, String event) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<SagaEvent> history = SYSTEM.sagas(OrderApi.SERVICE, OrderFlow.PLACE_ORDER).stream()
                    .filter(s -> s.id().equals(id)).findFirst().map(SagaInstance::history).orElse(List.of());
            if (history.stream().anyMatch(e -> e.step().equals(step) && e.event().equals(event))) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + event + " of " + step + " in " + history);
            }
            LockSupport.parkNanos(20_000_000);   // polling the saga, with the deadline above
        }
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
