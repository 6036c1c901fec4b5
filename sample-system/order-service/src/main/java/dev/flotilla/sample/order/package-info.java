/**
 * The order-service: orders and the order saga. Owns the {@code orders} and {@code order_items} tables; checks users
 * and prices through typed clients; publishes {@code orders.*} events and consumes the inventory's answers.
 */
package dev.flotilla.sample.order;
