package dev.flotilla.messaging;

import java.time.Instant;

/** Payload types used by the tests. */
final class TestEvents {

    private TestEvents() {
    }

    record OrderCreated(String orderId, int quantity, Instant at) {
    }

    record PriceQuery(String sku) {
    }

    record Price(String sku, long cents) {
    }
}
