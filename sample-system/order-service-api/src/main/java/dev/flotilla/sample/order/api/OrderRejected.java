package dev.flotilla.sample.order.api;

/**
 * Published on {@value #SUBJECT} when the inventory refused an order.
 *
 * @param orderId the order
 * @param userId  the buyer
 * @param reason  why
 */
public record OrderRejected(String orderId, String userId, String reason) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "orders.order-rejected.v1";
}
