package dev.flotilla.sample.inventory.api;

/**
 * Published on {@value #SUBJECT} when the reservation of a cancelled order was given back (the compensation).
 *
 * @param orderId the order
 */
public record StockReleased(String orderId) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "inventory.stock-released.v1";
}
