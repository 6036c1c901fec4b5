package dev.flotilla.sample.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.flotilla.core.http.RemoteNotFoundException;
import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.security.Caller;
import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderItem;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.product.api.ProductApiV2.Money;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import org.slf4j.Logger;

/**
 * {@link ShopApi} as served: each call goes to the service that owns the data, through its typed client. Products
 * go through {@link ProductApiV2}; the gateway's own {@code /api/v1/products} keeps prices in cents, converted from
 * and to {@link Money} in the catalog's currency.
 */
final class GatewayResource implements ShopApi {
    private final UserApi users;
    private final ProductApiV2 products;
    private final String currency;
    private final InventoryApi inventory;
    private final OrderApi orders;
    private final OrderHistory history;
    private final BooleanSupplier productDetailsOn;
    private final Logger log;
    private final Supplier<Caller> caller;

    GatewayResource(UserApi users, ProductApiV2 products, String currency, InventoryApi inventory, OrderApi orders,
                    OrderHistory history, BooleanSupplier productDetailsOn, Logger log, Supplier<Caller> caller) {
        this.caller = caller;
        this.users = users;
        this.products = products;
        this.currency = currency;
        this.inventory = inventory;
        this.orders = orders;
        this.history = history;
        this.productDetailsOn = productDetailsOn;
        this.log = log;
    }

    @Override
    public User registerUser(NewUser user) {
        return Downstream.call(() -> users.register(user));
    }

    @Override
    public User user(String id) {
        requireSelfOrOperator(id);
        return Downstream.call(() -> users.get(id));
    }

    @Override
    public List<OrderSummary> orderHistory(String id) {
        requireSelfOrOperator(id);
        return history.ofUser(id);
    }

    @Override
    public Product createProduct(NewProduct product) {
        ProductApiV2.NewProduct request = new ProductApiV2.NewProduct(
                product.name(), Money.ofCents(product.priceCents(), currency), product.initialStock());
        return toV1(Downstream.call(() -> products.create(request)));
    }

    @Override
    public Product product(String id) {
        return toV1(Downstream.call(() -> products.get(id)));
    }

    /** The gateway's public shape of a product: the price in cents. */
    private static Product toV1(ProductApiV2.Product product) {
        return new Product(product.id(), product.name(), product.price().cents());
    }

    @Override
    public Stock stock(String productId) {
        return Downstream.call(() -> inventory.get(productId));
    }

    @Override
    public Order placeOrder(PlaceOrder order) {
        requireSelfOrOperator(order.userId());
        log.info("Placing an order for user {}", order.userId());
        return Downstream.call(() -> orders.place(order));
    }

    @Override
    public OrderView order(String id) {
        Order order = Downstream.call(() -> orders.get(id));
        requireSelfOrOperator(order.userId());
        return new OrderView(order.id(), order.userId(), order.status(), order.items(), order.totalCents(),
                             order.reason(), productDetails(order));
    }

    @Override
    public Order cancelOrder(String id) {
        requireSelfOrOperator(Downstream.call(() -> orders.get(id)).userId());
        return Downstream.call(() -> orders.cancel(id));
    }

    /**
     * A user acts for themselves only; an operator for anyone. The contract's {@code @Access} has already made sure
     * the caller is signed in.
     *
     * @throws ProblemException 403 when the signed-in user is someone else
     */
    private void requireSelfOrOperator(String userId) {
        Caller current = caller.get();
        if (current.hasAnyRole(Set.of(OPERATOR)) || current.user().filter(userId::equals).isPresent()) {
            return;
        }
        throw new ProblemException(Problem.of("forbidden", 403, "Forbidden",
                                              "A user may act only on their own account and orders."));
    }

    /**
     * The fallback: the order is the point of the answer, the product names are decoration. When the product-service
     * fails, times out or its circuit breaker is open, or the feature flag {@code features.product-details} is off
     * (read at every call, so it can be switched at run time), the order is answered with
     * {@value ShopApi#UNAVAILABLE}.
     */
    private Object productDetails(Order order) {
        if (!productDetailsOn.getAsBoolean()) {
            return UNAVAILABLE;
        }
        List<ProductDetail> details = new ArrayList<>();
        try {
            for (OrderItem item : order.items()) {
                String name;
                try {
                    name = products.get(item.productId()).name();
                } catch (RemoteNotFoundException e) {
                    name = null;
                }
                details.add(new ProductDetail(item.productId(), name));
            }
            return details;
        } catch (ServiceCallException e) {
            log.warn("Product details of order {} unavailable ({}): answering without them", order.id(),
                     e.getClass().getSimpleName());
            return UNAVAILABLE;
        }
    }
}
