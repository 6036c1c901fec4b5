package dev.flotilla.sample.product.api;

/**
 * Published on {@value #SUBJECT} when a product is added; the inventory creates its stock from it.
 *
 * @param productId    the product's id
 * @param name         its name
 * @param priceCents   its unit price in cents
 * @param initialStock the units in stock at the start
 */
public record ProductCreated(String productId, String name, long priceCents, int initialStock) {
    /** The subject: {@value}. */
    public static final String SUBJECT = "catalog.product-created.v1";
}
