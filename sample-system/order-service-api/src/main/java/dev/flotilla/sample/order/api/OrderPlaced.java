package dev.flotilla.sample.order.api;

import java.util.List;

/**
 * Published on {@value #SUBJECT} when an order was stored; the inventory reserves its items.
 *
 * @param orderId    the order
 * @param userId     the buyer
 * @param items      the lines with their prices
 * @param totalCents the total
 */
public record OrderPlaced(String orderId, String userId, List<OrderApi.OrderItem> items, long totalCents) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "orders.order-placed.v1";
}
