package dev.flotilla.sample.inventory.api;

/**
 * A command on {@value #SUBJECT}, sent by the order-service only: give back what an order reserved (the
 * compensation of {@link ReserveStock}, and what cancelling a confirmed order does). The inventory answers with
 * {@link StockReleased}. Releasing again gives nothing more back; releasing an order that was never reserved leaves a
 * tombstone, so that its reservation, should it arrive later, is rejected.
 *
 * @param orderId the order
 */
public record ReleaseStock(String orderId) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "inventory.release-stock.v1";
}
