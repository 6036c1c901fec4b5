/**
 * The published contract of the product-service (the catalog): {@link dev.flotilla.sample.product.api.ProductApiV2}
 * (prices as {@link dev.flotilla.sample.product.api.ProductApiV2.Money}), v1
 * {@link dev.flotilla.sample.product.api.ProductApi} (prices in cents, served beside v2 until its sunset) and the
 * event {@link dev.flotilla.sample.product.api.ProductCreated}.
 */
package dev.flotilla.sample.product.api;
