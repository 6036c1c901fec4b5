package dev.flotilla.sample.inventory.api;

/**
 * Published on {@value #SUBJECT} when the reservation of an order was given back: the answer to {@link ReleaseStock}.
 *
 * @param orderId the order
 */
public record StockReleased(String orderId) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "inventory.stock-released.v1";
}
