package dev.flotilla.sample.inventory.api;

import java.util.List;

/**
 * A command on {@value #SUBJECT}, sent by the order-service only: reserve every item of an order, or none. The
 * inventory answers with {@link StockReserved} or {@link StockRejected}. Sending it again (the same order) reserves
 * nothing more and answers the first outcome; an order released before its reservation arrived is rejected.
 *
 * @param orderId the order
 * @param items   what to reserve; lines of one product may repeat (they are added up)
 */
public record ReserveStock(String orderId, List<Item> items) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "inventory.reserve-stock.v1";

    /**
     * One line to reserve.
     *
     * @param productId the product
     * @param quantity  the units, at least 1
     */
    public record Item(String productId, int quantity) {
    }
}
