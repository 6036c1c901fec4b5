package dev.flotilla.sample.order.api;

/**
 * Published on {@value #SUBJECT} when the inventory reserved an order's stock.
 *
 * @param orderId    the order
 * @param userId     the buyer
 * @param totalCents the total
 */
public record OrderConfirmed(String orderId, String userId, long totalCents) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "orders.order-confirmed.v1";
}
