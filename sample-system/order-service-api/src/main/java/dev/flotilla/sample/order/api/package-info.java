/**
 * The published contract of the order-service: {@link dev.flotilla.sample.order.api.OrderApi} and the events of the
 * order saga ({@link dev.flotilla.sample.order.api.OrderPlaced}, {@link dev.flotilla.sample.order.api.OrderConfirmed},
 * {@link dev.flotilla.sample.order.api.OrderRejected}, {@link dev.flotilla.sample.order.api.OrderCancelled}).
 */
package dev.flotilla.sample.order.api;
