/**
 * The order-service: orders and the order flow, coordinated as sagas. Owns the {@code orders} and {@code
 * order_items} tables and its outbox; checks users and prices and takes payments through typed clients; sends the
 * inventory its commands; publishes {@code orders.*} events through the outbox and consumes the inventory's answers.
 */
package dev.flotilla.sample.order;
