package dev.flotilla.messaging.saga;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingHeaders;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code samples of {@code docs/sagas.md}, compiled and run (on the in-JVM transport, so they need no server; the
 * same engine on NATS is tested by {@link SagaTest}).
 */
class SagaGuideExamplesTest {

    // tag::data[]
    /** The saga's data: a record, stored as JSON with the saga's state. */
    public record Order(String orderId, String userId, List<String> skus, long totalCents, String paymentId) {
        Order withPayment(String id) {
            return new Order(orderId, userId, skus, totalCents, id);
        }
    }

    /** The command a step sends, and the reply it awaits. */
    public record ReserveStock(String orderId, List<String> skus) {
    }

    public record StockReply(String orderId, boolean reserved, String reason) {
    }
    // end::data[]

    /** A stand-in for a payment service that dedupes on the idempotency key. */
    static final class Payments {
        final Map<String, Long> charged = new ConcurrentHashMap<>();

        String charge(String idempotencyKey, String userId, long cents) {
            if (cents > 100_000) {
                throw new IllegalArgumentException("credit limit");
            }
            charged.putIfAbsent(idempotencyKey, cents);
            return idempotencyKey;
        }

        void refund(String idempotencyKey) {
            charged.remove(idempotencyKey);
        }
    }

    @Test
    void placeOrder() {
        Payments payments = new Payments();
        Set<String> released = ConcurrentHashMap.newKeySet();
        try (Messaging messaging = Messaging.builder().serviceName("order-service").build();
             // tag::engine[]
             Sagas sagas = Sagas.builder(messaging).build()   // in a service: Sagas.of(context)
             // end::engine[]
        ) {
            // tag::definition[]
            SagaDefinition<Order> placeOrder = SagaDefinition.builder("place-order", Order.class)
                    .step("check-user", step -> step.action(ctx -> {
                        if (ctx.data().userId().isBlank()) {
                            throw new SagaFailure("unknown-user: " + ctx.data().userId()); // for good: no retry
                        }
                        return ctx.data();
                    }))
                    .step("reserve-stock", step -> step
                            .send(ctx -> messaging.publish("inventory.reserve-stock.v1",
                                    new ReserveStock(ctx.data().orderId(), ctx.data().skus()),
                                    Map.of(MessagingHeaders.MESSAGE_ID, ctx.idempotencyKey())))
                            .awaitReply(StockReply.class, Duration.ofSeconds(30), (ctx, reply) -> {
                                if (!reply.reserved()) {
                                    throw new SagaFailure("stock rejected: " + reply.reason());
                                }
                                return ctx.data();
                            })
                            .compensate(ctx -> messaging.publish("inventory.release-stock.v1",
                                    new ReserveStock(ctx.data().orderId(), ctx.data().skus()),
                                    Map.of(MessagingHeaders.MESSAGE_ID, ctx.idempotencyKey()))))
                    .step("take-payment", step -> step
                            .action(ctx -> {
                                try {
                                    return ctx.data().withPayment(payments.charge(ctx.idempotencyKey(),
                                            ctx.data().userId(), ctx.data().totalCents()));
                                } catch (IllegalArgumentException declined) {
                                    throw new SagaFailure("payment declined: " + declined.getMessage());
                                }
                            })
                            .compensate(ctx -> payments.refund(
                                    ctx.sagaName() + "." + ctx.sagaId() + ".take-payment"))
                            .timeout(Duration.ofSeconds(20)))
                    .timeout(Duration.ofMinutes(2))
                    .build();
            Saga<Order> saga = sagas.register(placeOrder);
            // end::definition[]
            messaging.subscribe("inventory.release-stock.v1", ReserveStock.class,
                                envelope -> released.add(envelope.payload().orderId()));

            // tag::start[]
            SagaInstance<Order> placed = saga.start("o-42",
                    new Order("o-42", "u-1", List.of("sku-1"), 4_200, null));
            // placed.state() == WAITING, placed.waitingOn() == Optional[reserve-stock]

            // where the reply arrives (a handler of inventory's events), on any instance of the service:
            boolean taken = saga.reply("o-42", "reserve-stock", new StockReply("o-42", true, ""));
            // end::start[]
            assertEquals(SagaState.WAITING, placed.state());
            assertEquals("reserve-stock", placed.waitingOn().orElseThrow());
            assertTrue(taken);
            Await.until(Duration.ofSeconds(10), () -> saga.find("o-42").orElseThrow().finished(), "finished");
            // tag::query[]
            SagaInstance<Order> now = saga.find("o-42").orElseThrow();
            // now.state() == COMPLETED; now.history(): started, completed, sent, replied, completed, ...
            // end::query[]
            assertEquals(SagaState.COMPLETED, now.state());
            assertEquals("place-order.o-42.take-payment", now.data().paymentId());
            assertEquals(Map.of("place-order.o-42.take-payment", 4_200L), payments.charged);

            // a declined payment: the stock is released, the saga FAILED with the reason
            saga.start("o-43", new Order("o-43", "u-1", List.of("sku-1"), 500_000, null));
            saga.reply("o-43", "reserve-stock", new StockReply("o-43", true, ""));
            Await.until(Duration.ofSeconds(10), () -> saga.find("o-43").orElseThrow().finished(), "finished");
            SagaInstance<Order> declined = saga.find("o-43").orElseThrow();
            assertEquals(SagaState.FAILED, declined.state());
            assertEquals("payment declined: credit limit", declined.failure().orElseThrow());
            Await.until(Duration.ofSeconds(10), () -> released.contains("o-43"), "stock released");
        }
    }
}
