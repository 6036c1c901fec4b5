package dev.flotilla.sample.order.api;

import java.util.List;

/**
 * Published on {@value #SUBJECT} when a confirmed order was cancelled; the inventory releases its reservation (the
 * saga's compensation).
 *
 * @param orderId the order
 * @param userId  the buyer
 * @param items   the lines whose stock goes back
 */
public record OrderCancelled(String orderId, String userId, List<OrderApi.OrderItem> items) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "orders.order-cancelled.v1";
}
