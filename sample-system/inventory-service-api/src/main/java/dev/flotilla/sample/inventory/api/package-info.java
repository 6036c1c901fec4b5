/**
 * The published contract of the inventory-service: {@link dev.flotilla.sample.inventory.api.InventoryApi} and the
 * events {@link dev.flotilla.sample.inventory.api.StockReserved}, {@link
 * dev.flotilla.sample.inventory.api.StockRejected} and {@link dev.flotilla.sample.inventory.api.StockReleased}, and
 * the commands it takes from the order-service, {@link dev.flotilla.sample.inventory.api.ReserveStock} and {@link
 * dev.flotilla.sample.inventory.api.ReleaseStock}.
 */
package dev.flotilla.sample.inventory.api;
