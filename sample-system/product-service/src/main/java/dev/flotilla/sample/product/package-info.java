/**
 * The product-service: the catalog and its prices. Owns the {@code products} table and publishes {@code
 * catalog.product-created.v1}.
 */
package dev.flotilla.sample.product;
