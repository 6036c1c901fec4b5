package dev.flotilla.sample.inventory.api;

/**
 * Published on {@value #SUBJECT} when an order could not be reserved (the answer to {@link ReserveStock}); nothing of
 * it was reserved.
 *
 * @param orderId the order
 * @param reason  why, e.g. {@code insufficient stock for product p-1: 3 requested}
 */
public record StockRejected(String orderId, String reason) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "inventory.stock-rejected.v1";
}
