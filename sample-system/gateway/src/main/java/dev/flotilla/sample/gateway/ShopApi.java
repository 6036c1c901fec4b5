package dev.flotilla.sample.gateway;

import java.util.List;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.Idempotent;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;
import dev.flotilla.core.security.Access;
import dev.flotilla.core.security.Anonymous;
import dev.flotilla.sample.order.api.OrderNotCancellableException;
import dev.flotilla.sample.order.api.UnknownProductException;
import dev.flotilla.sample.order.api.UnknownUserException;
import dev.flotilla.sample.user.api.DuplicateEmailException;
import jakarta.validation.constraints.Size;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderItem;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;

/**
 * The shop's public API, version 1, served by the gateway on port 8080. Errors are problem+json: 400 for invalid
 * input (the constraints of the services' records, checked here first), 404 for an unknown id, 409 for a duplicate
 * e-mail or a cancel in the wrong state, 422 for an order naming an unknown user or product, 503 when a service it
 * needs is down. The 409s and 422s are the downstream services' declared problems, passed through: each method here
 * declares the same exceptions as the method it calls.
 *
 * <p>Who may call what: signing up and browsing products and stock are {@link Anonymous}; everything else needs a
 * signed-in user (a JWT bearer token the gateway verifies, and forwards to the services it calls on the user's
 * behalf): 401 without one. A user sees and changes only their own account and orders; an {@value #OPERATOR} may act
 * for anyone and is the only one who may create products: 403 otherwise.
 */
public interface ShopApi {
    /** The name of the gateway service: {@value}. */
    String SERVICE = "gateway";
    /** The value of {@link OrderView#productDetails()} when the product-service cannot be reached: {@value}. */
    String UNAVAILABLE = "unavailable";
    /** The role of the shop's staff: creates products, and may see and act on any user's account and orders: {@value}. */
    String OPERATOR = "operator";

    /**
     * A product's name in an order view.
     *
     * @param productId the product
     * @param name      its name
     */
    record ProductDetail(String productId, String name) {
    }

    /**
     * An order as clients see it.
     *
     * @param id             the id
     * @param userId         the buyer
     * @param status         where it is in its saga
     * @param items          its lines
     * @param totalCents     its total
     * @param reason         why it was rejected, or {@code null}
     * @param productDetails a list of {@link ProductDetail}, or the string {@value #UNAVAILABLE} when the
     *                       product-service is down or its circuit breaker is open (the order is still answered)
     */
    record OrderView(String id, String userId, Status status, List<OrderItem> items, long totalCents, String reason,
                     Object productDetails) {
    }

    /**
     * One line of a user's order history (the read model).
     *
     * @param orderId    the order
     * @param status     its last known status
     * @param totalCents its total
     * @param reason     why it was rejected, or {@code null}
     */
    record OrderSummary(String orderId, Status status, long totalCents, String reason) {
    }

    /**
     * Registers a user.
     *
     * @param user name and e-mail
     * @return the user (201)
     * @throws DuplicateEmailException when the e-mail is already registered (409)
     */
    @Anonymous
    @Post("/api/v1/users")
    @ResponseStatus(201)
    User registerUser(@Body NewUser user) throws DuplicateEmailException;

    /**
     * A user.
     *
     * @param id the id
     * @return the user
     */
    @Access
    @Get("/api/v1/users/{id}")
    User user(@PathParam("id") @Size(max = 36) String id);

    /**
     * A user's orders, from the gateway's read model: eventually consistent with the order-service.
     *
     * @param id the user's id
     * @return the orders, oldest first; empty when none is known yet
     */
    @Access
    @Get("/api/v1/users/{id}/orders")
    List<OrderSummary> orderHistory(@PathParam("id") @Size(max = 36) String id);

    /**
     * Adds a product; its initial stock reaches the inventory by an event.
     *
     * @param product name, price and initial stock
     * @return the product (201)
     */
    @Access(roles = ShopApi.OPERATOR)
    @Post("/api/v1/products")
    @ResponseStatus(201)
    Product createProduct(@Body NewProduct product);

    /**
     * A product.
     *
     * @param id the id
     * @return the product
     */
    @Anonymous
    @Get("/api/v1/products/{id}")
    Product product(@PathParam("id") @Size(max = 36) String id);

    /**
     * The stock of a product.
     *
     * @param productId the product
     * @return available and reserved units
     */
    @Anonymous
    @Get("/api/v1/inventory/{productId}")
    Stock stock(@PathParam("productId") @Size(max = 36) String productId);

    /**
     * Places an order; the outcome comes later (poll {@link #order}).
     *
     * @param order the user and the lines
     * @return the order, {@code PENDING} (202)
     * @throws UnknownUserException    for an unknown user (422)
     * @throws UnknownProductException for an unknown product (422)
     */
    @Access
    @Post("/api/v1/orders")
    @ResponseStatus(202)
    Order placeOrder(@Body PlaceOrder order) throws UnknownUserException, UnknownProductException;

    /**
     * An order, with the names of its products when the product-service answers.
     *
     * @param id the id
     * @return the order
     */
    @Access
    @Get("/api/v1/orders/{id}")
    OrderView order(@PathParam("id") @Size(max = 36) String id);

    /**
     * Cancels a confirmed order; its stock is released.
     *
     * @param id the id
     * @return the order, {@code CANCELLED}
     * @throws OrderNotCancellableException when it is pending or rejected (409)
     */
    @Access
    @Post("/api/v1/orders/{id}/cancel")
    @Idempotent
    Order cancelOrder(@PathParam("id") @Size(max = 36) String id) throws OrderNotCancellableException;
}
