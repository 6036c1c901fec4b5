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
        Optional<Order> order = requireStored(orderId, orders.transition(orderId, Status.PENDING, Status.CONFIRMED, null));
        order.filter(o -> o.status() == Status.CONFIRMED).ifPresentOrElse(o -> {
            log.info("Order {} confirmed", orderId);
            events.publish(OrderConfirmed.SUBJECT, new OrderConfirmed(o.id(), o.userId(), o.totalCents()),
                           "order-" + o.id() + "-confirmed");
        }, () -> log.warn("Stock reserved for order {}, which is {}", orderId, describe(order)));
    }

    void reject(String orderId, String reason) {
        Optional<Order> order = requireStored(orderId, orders.transition(orderId, Status.PENDING, Status.REJECTED,
                                                                         reason));
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
     * The inventory's answer can overtake the commit of the order it answers (OrderPlaced is published inside the
     * inserting transaction, before its commit): fail the handler, so JetStream delivers the answer again once the
     * order is stored, instead of dropping it and leaving the order PENDING. The transition can also miss the row
     * while it commits and the read after it find it committed, still PENDING: that too is an answer to deliver again.
     */
    private static Optional<Order> requireStored(String orderId, Optional<Order> order) {
        if (order.isEmpty()) {
            throw new IllegalStateException("Order " + orderId + " is not stored (yet): the answer is redelivered");
        }
        if (order.get().status() == Status.PENDING) {
            throw new IllegalStateException("Order " + orderId + " was committed during the transition: the answer "
                                                    + "is redelivered");
        }
        return order;
    }

    private static String describe(Optional<Order> order) {
        return order.map(o -> o.status().name()).orElse("unknown");
    }
}
