package dev.flotilla.sample.order;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.UnavailableException;
import dev.flotilla.sample.common.DownstreamAnswers;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.order.api.OrderNotCancellableException;
import dev.flotilla.sample.order.api.UnknownProductException;
import dev.flotilla.sample.order.api.UnknownUserException;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.product.api.ProductApiV2.Product;
import dev.flotilla.sample.user.api.UserApi;

/**
 * {@link OrderApi} as served: validation, the checks against the user and product services (prices through {@link
 * ProductApiV2}, kept in cents in orders), then the saga.
 */
final class OrderResource implements OrderApi {
    private final OrderRepository orders;
    private final OrderSaga saga;
    private final UserApi users;
    private final ProductApiV2 products;

    OrderResource(OrderRepository orders, OrderSaga saga, UserApi users, ProductApiV2 products) {
        this.orders = orders;
        this.saga = saga;
        this.users = users;
        this.products = products;
    }

    @Override
    public Order place(PlaceOrder request) {
        Map<String, Integer> lines = lines(request);
        checkUser(request.userId());
        List<OrderItem> items = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Integer> line : lines.entrySet()) {
            Product product = product(line.getKey());
            long priceCents = product.price().cents();
            items.add(new OrderItem(product.id(), line.getValue(), priceCents));
            try {
                total = Math.addExact(total, Math.multiplyExact(priceCents, line.getValue()));
            } catch (ArithmeticException e) {
                // A total that does not fit in cents would be stored wrapped around: refused instead.
                throw new BadRequestException("The order's total is too large");
            }
        }
        Order order = new Order(UUID.randomUUID().toString(), request.userId(), Status.PENDING, List.copyOf(items),
                                total, null);
        saga.place(order);
        return order;
    }

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
        return saga.cancel(id).filter(o -> o.status() == Status.CANCELLED)
                .orElseThrow(() -> new OrderNotCancellableException("Order " + id + " changed while being cancelled"));
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
                throw new BadRequestException("The quantity of product " + shortened(line.productId())
                                                      + " is too large");
            }
            lines.put(line.productId(), merged + line.quantity());
        }
        return lines;
    }

    /**
     * The user must exist. The user-service's refusals of the id (404, or a 4xx for an id it cannot even read, see
     * {@link DownstreamAnswers}) and an id that cannot be put in its URL at all (empty, {@code ..}, with a {@code /},
     * or too long: the typed client refuses to send it) mean there is no such user: the caller's mistake, answered
     * 422. Only the user-service failing or being out of reach is a 503: a client's bad id must not look like an
     * outage to the gateway's circuit breaker.
     */
    private void checkUser(String userId) {
        try {
            users.get(userId);
        } catch (IllegalArgumentException e) {
            throw new UnknownUserException("No user with id " + shortened(userId));
        } catch (RemoteProblemException e) {
            if (!DownstreamAnswers.refusesTheRequest(e)) {
                throw unavailable("Cannot check the user now", e);
            }
            throw new UnknownUserException("No user with id " + shortened(userId));
        } catch (ServiceCallException e) {
            throw unavailable("Cannot check the user now", e);
        }
    }

    /** The product, for its price; an id the product-service refuses is an unknown product (as for users). */
    private Product product(String productId) {
        try {
            return products.get(productId);
        } catch (IllegalArgumentException e) {
            throw new UnknownProductException("No product with id " + shortened(productId));
        } catch (RemoteProblemException e) {
            if (!DownstreamAnswers.refusesTheRequest(e)) {
                throw unavailable("Cannot check the prices now", e);
            }
            throw new UnknownProductException("No product with id " + shortened(productId));
        } catch (ServiceCallException e) {
            throw unavailable("Cannot check the prices now", e);
        }
    }

    private static UnavailableException unavailable(String what, ServiceCallException e) {
        return new UnavailableException(what + " (" + e.service() + " failed); try again later", e);
    }

    /** An id as quoted back in a problem: a hostile megabyte of id is not worth sending back. */
    private static String shortened(String id) {
        return id.length() <= 100 ? id : id.substring(0, 100) + "...";
    }
}
