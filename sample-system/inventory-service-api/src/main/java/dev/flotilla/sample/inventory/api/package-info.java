/**
 * The published contract of the inventory-service: {@link dev.flotilla.sample.inventory.api.InventoryApi} and the
 * events {@link dev.flotilla.sample.inventory.api.StockReserved}, {@link
 * dev.flotilla.sample.inventory.api.StockRejected} and {@link dev.flotilla.sample.inventory.api.StockReleased}.
 */
package dev.flotilla.sample.inventory.api;
