package dev.flotilla.sample.order.api;

import java.util.List;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.Idempotent;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * The order-service's HTTP contract. Placing an order starts the order saga; its outcome is read with {@link #get}.
 */
public interface OrderApi {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = "order-service";
    /** The most lines an order has: {@value}. */
    int MAX_LINES = 100;
    /** The most units of one line: {@value}. */
    int MAX_QUANTITY = 10_000;

    /** Where an order is in its saga. */
    enum Status {
        /** Stored; its stock and payment are being taken. */
        PENDING,
        /** Stock reserved and paid. */
        CONFIRMED,
        /**
         * Refused after it was stored (the inventory had too little stock, the payment was declined, or an answer
         * did not come in time); see the reason. What was taken for it was given back.
         */
        REJECTED,
        /** Cancelled after confirmation; its stock is released and its payment refunded. */
        CANCELLED
    }

    /**
     * One line of an order request.
     *
     * @param productId the product, at most 36 characters
     * @param quantity  1 to {@link #MAX_QUANTITY}
     */
    record OrderLine(@NotBlank @Size(max = 36) String productId, @Positive @Max(MAX_QUANTITY) int quantity) {
    }

    /**
     * The body of a new order.
     *
     * @param userId the buyer, at most 36 characters
     * @param items  1 to {@link #MAX_LINES} lines
     */
    record PlaceOrder(@NotBlank @Size(max = 36) String userId,
                      @NotEmpty @Size(max = MAX_LINES) List<@NotNull @Valid OrderLine> items) {
    }

    /**
     * One line of a stored order, with the price at the time of ordering.
     *
     * @param productId      the product
     * @param quantity       the quantity
     * @param unitPriceCents the unit price in cents
     */
    record OrderItem(@NotNull String productId, int quantity, long unitPriceCents) {
    }

    /**
     * An order.
     *
     * @param id         the id
     * @param userId     the buyer
     * @param status     where it is in its saga
     * @param items      its lines
     * @param totalCents the sum of quantity × unit price
     * @param reason     why it was rejected, e.g. {@code insufficient stock for product p-1: 3 requested} or {@code
     *                   payment declined: credit limit exceeded: ...}; {@code null} otherwise
     */
    record Order(@NotNull String id, @NotNull String userId, @NotNull Status status, @NotNull List<OrderItem> items,
                 long totalCents, String reason) {
    }

    /**
     * Places an order: checks the user and the products, stores it as {@code PENDING} and publishes {@link
     * OrderPlaced}; the stock reservation and the payment follow, and the order becomes {@code CONFIRMED} or {@code
     * REJECTED}. The stored order can be read with {@link #get} as soon as this answers.
     *
     * @param order the order
     * @return the order, {@code PENDING} (202)
     * @throws dev.flotilla.core.http.RemoteBadRequestException  for a missing user or an empty or invalid line (400)
     * @throws UnknownUserException                              for an unknown user (422)
     * @throws UnknownProductException                           for an unknown product (422)
     * @throws dev.flotilla.core.http.RemoteUnavailableException when the user or product service cannot be asked
     *                                                           now (503)
     */
    @Post("/v1/orders")
    @ResponseStatus(202)
    Order place(@Body PlaceOrder order) throws UnknownUserException, UnknownProductException;

    /**
     * An order by id.
     *
     * @param id the id
     * @return the order
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is none (404)
     */
    @Get("/v1/orders/{id}")
    Order get(@PathParam("id") @Size(max = 36) String id);

    /**
     * Cancels a confirmed order and publishes {@link OrderCancelled}; its stock is released and its payment refunded
     * after this answers. Cancelling a cancelled order again answers it unchanged.
     *
     * @param id the id
     * @return the order, {@code CANCELLED}
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is none (404)
     * @throws OrderNotCancellableException                   when it is pending or rejected (409)
     */
    @Post("/v1/orders/{id}/cancel")
    @Idempotent
    Order cancel(@PathParam("id") @Size(max = 36) String id) throws OrderNotCancellableException;
}
