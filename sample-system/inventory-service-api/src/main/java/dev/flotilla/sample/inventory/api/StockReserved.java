package dev.flotilla.sample.inventory.api;

/**
 * Published on {@value #SUBJECT} when every item of an order was reserved: the answer to {@link ReserveStock}.
 *
 * @param orderId the order
 */
public record StockReserved(String orderId) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "inventory.stock-reserved.v1";
}
