package dev.flotilla.sample.order;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.core.http.RemoteNotFoundException;
import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.ConflictException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.UnavailableException;
import dev.flotilla.sample.order.api.OrderApi;
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
        Map<String, Integer> lines = validLines(request);
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
            throw new ConflictException("Order " + id + " is " + order.status() + "; only a CONFIRMED order can be "
                                                + "cancelled");
        }
        return saga.cancel(id).filter(o -> o.status() == Status.CANCELLED)
                .orElseThrow(() -> new ConflictException("Order " + id + " changed while being cancelled"));
    }

    private static Map<String, Integer> validLines(PlaceOrder request) {
        if (request.userId() == null || request.userId().isBlank()) {
            throw new BadRequestException("Field 'userId' is required");
        }
        if (request.items() == null || request.items().isEmpty()) {
            throw new BadRequestException("Field 'items' must list at least one product");
        }
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (OrderLine line : request.items()) {
            if (line == null || line.productId() == null || line.productId().isBlank() || line.quantity() < 1) {
                throw new BadRequestException("Every item needs a 'productId' and a 'quantity' of at least 1");
            }
            lines.merge(line.productId(), line.quantity(), Integer::sum);
        }
        return lines;
    }

    private void checkUser(String userId) {
        try {
            users.get(userId);
        } catch (RemoteNotFoundException e) {
            throw new ProblemException(Problem.of("unknown-user", 422, "Unknown user", "No user with id " + userId));
        } catch (ServiceCallException e) {
            throw new UnavailableException("Cannot check the user now (" + e.service() + " failed); try again later",
                                           e);
        }
    }

    private Product product(String productId) {
        try {
            return products.get(productId);
        } catch (RemoteNotFoundException e) {
            throw new ProblemException(Problem.of("unknown-product", 422, "Unknown product",
                                                  "No product with id " + productId));
        } catch (ServiceCallException e) {
            throw new UnavailableException("Cannot check the prices now (" + e.service() + " failed); try again "
                                                   + "later", e);
        }
    }
}
