/**
 * The gateway: the shop's public API ({@link dev.flotilla.sample.gateway.ShopApi}, under {@code /api/v1}) over the
 * services' typed clients, and the order-history read model built from {@code orders.*} events (CQRS).
 */
package dev.flotilla.sample.gateway;
