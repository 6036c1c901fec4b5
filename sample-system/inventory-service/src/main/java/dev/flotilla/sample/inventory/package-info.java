/**
 * The inventory-service: stock per product and the reservations of orders. Owns the {@code stock}, {@code
 * reservations}, {@code reservation_items} and {@code stock_effects} tables; consumes {@code
 * catalog.product-created.v1} and the order-service's commands {@code inventory.reserve-stock.v1} and {@code
 * inventory.release-stock.v1}; publishes {@code inventory.*} events.
 */
package dev.flotilla.sample.inventory;
