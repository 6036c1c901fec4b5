package dev.flotilla.sample.order;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.core.http.RemoteNotFoundException;
import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.UnavailableException;
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
            total += priceCents * line.getValue();
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
            lines.merge(line.productId(), line.quantity(), Integer::sum);
        }
        return lines;
    }

    private void checkUser(String userId) {
        try {
            users.get(userId);
        } catch (RemoteNotFoundException e) {
            throw new UnknownUserException("No user with id " + userId);
        } catch (ServiceCallException e) {
            throw new UnavailableException("Cannot check the user now (" + e.service() + " failed); try again later",
                                           e);
        }
    }

    private Product product(String productId) {
        try {
            return products.get(productId);
        } catch (RemoteNotFoundException e) {
            throw new UnknownProductException("No product with id " + productId);
        } catch (ServiceCallException e) {
            throw new UnavailableException("Cannot check the prices now (" + e.service() + " failed); try again "
                                                   + "later", e);
        }
    }
}
