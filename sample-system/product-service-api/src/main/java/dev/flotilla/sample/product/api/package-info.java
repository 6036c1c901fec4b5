/**
 * The published contract of the product-service (the catalog): {@link dev.flotilla.sample.product.api.ProductApi}
 * and the event {@link dev.flotilla.sample.product.api.ProductCreated}.
 */
package dev.flotilla.sample.product.api;
