/**
 * The inventory-service: stock per product and the reservations of orders. Owns the {@code stock}, {@code
 * reservations} and {@code reservation_items} tables; consumes {@code catalog.product-created.v1}, {@code
 * orders.order-placed.v1} and {@code orders.order-cancelled.v1}; publishes {@code inventory.*} events.
 */
package dev.flotilla.sample.inventory;
