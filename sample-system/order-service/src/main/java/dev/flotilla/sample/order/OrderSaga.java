package dev.flotilla.sample.order;

import java.util.Optional;

import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.OrderRejected;
import org.slf4j.Logger;

/**
 * The order saga's steps on the order-service's side. Each step changes the order only from the state it expects
 * ({@code UPDATE ... WHERE status = ?}), so a redelivered event changes nothing twice; the event of the new state is
 * published again with the same message id, so a publish lost after a commit is made good and a repeated one is
 * stored once.
 */
final class OrderSaga {
    private final OrderRepository orders;
    private final DurableEvents events;
    private final Logger log;

    OrderSaga(OrderRepository orders, DurableEvents events, Logger log) {
        this.orders = orders;
        this.events = events;
        this.log = log;
    }

    DurableEvents events() {
        return events;
    }

    /** Stores a new order and publishes {@link OrderPlaced}, in one transaction (the publish comes first). */
    void place(Order order) {
        orders.insert(order, () -> events.publish(
                OrderPlaced.SUBJECT, new OrderPlaced(order.id(), order.userId(), order.items(), order.totalCents()),
                "order-" + order.id() + "-placed"));
        log.info("Order {} placed for user {}: {} cents", order.id(), order.userId(), order.totalCents());
    }

    void confirm(String orderId) {
        Optional<Order> order = known(orderId, orders.transition(orderId, Status.PENDING, Status.CONFIRMED, null));
        order.filter(o -> o.status() == Status.CONFIRMED).ifPresentOrElse(o -> {
            log.info("Order {} confirmed", orderId);
            events.publish(OrderConfirmed.SUBJECT, new OrderConfirmed(o.id(), o.userId(), o.totalCents()),
                           "order-" + o.id() + "-confirmed");
        }, () -> log.warn("Stock reserved for order {}, which is {}", orderId, describe(order)));
    }

    void reject(String orderId, String reason) {
        Optional<Order> order = known(orderId, orders.transition(orderId, Status.PENDING, Status.REJECTED, reason));
        order.filter(o -> o.status() == Status.REJECTED).ifPresentOrElse(o -> {
            log.info("Order {} rejected: {}", orderId, o.reason());
            events.publish(OrderRejected.SUBJECT, new OrderRejected(o.id(), o.userId(), o.reason()),
                           "order-" + o.id() + "-rejected");
        }, () -> log.warn("Stock rejected for order {}, which is {}", orderId, describe(order)));
    }

    /** Cancels a confirmed order; the caller checked it exists and is confirmed or cancelled. */
    Optional<Order> cancel(String orderId) {
        Optional<Order> order = orders.transition(orderId, Status.CONFIRMED, Status.CANCELLED, null);
        order.filter(o -> o.status() == Status.CANCELLED).ifPresent(o -> {
            log.info("Order {} cancelled: releasing its stock", orderId);
            events.publish(OrderCancelled.SUBJECT, new OrderCancelled(o.id(), o.userId(), o.items()),
                           "order-" + o.id() + "-cancelled");
        });
        return order;
    }

    /**
     * The inventory can answer before the transaction that stored the order and published its event has committed:
     * an order not found yet is retried (the handler fails, the event is redelivered after the back-off).
     */
    private static Optional<Order> known(String orderId, Optional<Order> order) {
        if (order.isEmpty()) {
            throw new IllegalStateException("Order " + orderId + " is not stored (yet): the event is delivered again");
        }
        return order;
    }

    private static String describe(Optional<Order> order) {
        return order.map(o -> o.status().name()).orElse("unknown");
    }
}
