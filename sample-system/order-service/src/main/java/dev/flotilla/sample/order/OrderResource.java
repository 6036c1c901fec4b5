package dev.flotilla.sample.order;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.UnavailableException;
import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.saga.SagaInstance;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.sample.order.OrderFlow.PlaceOrderData;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.order.api.OrderNotCancellableException;
import dev.flotilla.sample.order.api.UnknownProductException;
import dev.flotilla.sample.order.api.UnknownUserException;

/**
 * {@link OrderApi} as served: validation, then the {@value OrderFlow#PLACE_ORDER} saga, whose first steps (the user,
 * the prices, storing the order) run on the request's thread, so a refusal is answered at once and the stored order
 * can be read as soon as this answers.
 */
final class OrderResource implements OrderApi {
    private final OrderRepository orders;
    private final Supplier<OrderFlow> flow;

    OrderResource(OrderRepository orders, Supplier<OrderFlow> flow) {
        this.orders = orders;
        this.flow = flow;
    }

    // tag::place[]
    @Override
    public Order place(PlaceOrder request) {
        Map<String, Integer> lines = lines(request);
        String orderId = UUID.randomUUID().toString();
        SagaInstance<PlaceOrderData> saga;
        try {
            saga = flow().place(orderId, request.userId(), lines);
        } catch (MessagingException e) {
            throw new UnavailableException("Cannot place orders now (the saga's state cannot be stored); try again "
                                                   + "later", e);
        }
        Optional<Order> stored = stored(orderId);
        if (saga.state() == SagaState.FAILED && stored.isEmpty()) {
            // Failed before the order was stored: the user, a product or the request was refused, or unavailable.
            String failure = saga.failure().orElse("");
            throw refusal(failure);
        }
        // Stored on this thread (the usual case): what GET answers now. Else the saga goes on later, and the order
        // ends confirmed or rejected.
        return stored.orElseGet(() -> saga.data().order(Status.PENDING, null));
    }
    // end::place[]

    @Override
    public Order get(String id) {
        return orders.find(id).orElseThrow(() -> new NotFoundException("No order with id " + id));
    }

    @Override
    public Order cancel(String id) {
        Order order = get(id);
        if (order.status() == Status.CANCELLED) {
            return order;
        }
        if (order.status() != Status.CONFIRMED) {
            throw new OrderNotCancellableException("Order " + id + " is " + order.status() + "; only a CONFIRMED "
                                                           + "order can be cancelled");
        }
        try {
            flow().cancel(id, order.userId());
        } catch (MessagingException e) {
            throw new UnavailableException("Cannot cancel orders now; try again later", e);
        }
        Order after = get(id);
        if (after.status() != Status.CANCELLED) {
            throw new OrderNotCancellableException("Order " + id + " is " + after.status() + "; only a CONFIRMED "
                                                           + "order can be cancelled");
        }
        return after;
    }

    /** The order as stored now; empty also when the database cannot be read now (the saga is retrying it). */
    private Optional<Order> stored(String orderId) {
        try {
            return orders.find(orderId);
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    private OrderFlow flow() {
        OrderFlow current = flow.get();
        if (current == null) {
            throw new UnavailableException("The order-service is starting; try again later");
        }
        return current;
    }

    /** The problem a failure of the saga's first steps is answered with. */
    private static RuntimeException refusal(String failure) {
        if (failure.startsWith(OrderFlow.UNKNOWN_USER)) {
            return new UnknownUserException(failure.substring(OrderFlow.UNKNOWN_USER.length()));
        }
        if (failure.startsWith(OrderFlow.UNKNOWN_PRODUCT)) {
            return new UnknownProductException(failure.substring(OrderFlow.UNKNOWN_PRODUCT.length()));
        }
        if (failure.startsWith(OrderFlow.INVALID)) {
            return new BadRequestException(failure.substring(OrderFlow.INVALID.length()));
        }
        if (failure.startsWith(OrderFlow.UNAVAILABLE)) {
            return new UnavailableException(failure.substring(OrderFlow.UNAVAILABLE.length()));
        }
        return new UnavailableException("Cannot place the order now (" + failure + "); try again later");
    }

    /**
     * The quantity per product, lines of one product merged. The contract's constraints are checked before a method
     * runs: a user id, 1 to 100 lines, each with a product id and a quantity of 1 to 10,000.
     */
    private static Map<String, Integer> lines(PlaceOrder request) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (OrderLine line : request.items()) {
            if (line == null || line.productId() == null || line.productId().isBlank() || line.quantity() < 1) {
                throw new BadRequestException("Every item needs a 'productId' and a 'quantity' of at least 1");
            }
            // Lines of one product are merged; a sum past an int would wrap around to a negative quantity.
            int merged = lines.getOrDefault(line.productId(), 0);
            if (merged > Integer.MAX_VALUE - line.quantity()) {
                throw new BadRequestException("The quantity of product " + OrderFlow.shortened(line.productId())
                                                      + " is too large");
            }
            lines.put(line.productId(), merged + line.quantity());
        }
        return lines;
    }
}
