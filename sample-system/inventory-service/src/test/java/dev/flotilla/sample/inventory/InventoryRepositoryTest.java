package dev.flotilla.sample.inventory;

import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.ScratchH2;
import dev.flotilla.sample.inventory.InventoryRepository.Outcome;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.inventory.api.ReserveStock.Item;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reservations on H2: all or nothing, idempotent, and never below zero under concurrency. */
class InventoryRepositoryTest {
    private final ScratchH2 scratch = ScratchH2.create("inventory", InventoryRepository.SCHEMA);
    private final Database database = scratch.database();
    private final InventoryRepository inventory = new InventoryRepository(database);

    @AfterEach
    void close() {
        scratch.close();
    }

    @Test
    void reservesEveryItemOrNone() {
        inventory.createStock("a", 5);
        inventory.createStock("b", 1);

        Outcome rejected = inventory.reserve("o-1", List.of(new Item("a", 2), new Item("b", 2)), false);

        assertEquals(new Outcome(false, "insufficient stock for product b: 2 requested"), rejected);
        assertEquals(new Stock("a", 5, 0), inventory.stock("a").orElseThrow(), "a was not reserved either");
        assertEquals(new Outcome(true, null),
                     inventory.reserve("o-2", List.of(new Item("a", 2), new Item("b", 1)), false));
        assertEquals(new Stock("b", 0, 1), inventory.stock("b").orElseThrow());
    }

    @Test
    void aRedeliveredEventChangesNothingTwice() {
        assertTrue(inventory.createStock("a", 5));
        assertFalse(inventory.createStock("a", 5));
        List<Item> items = List.of(new Item("a", 2));
        assertTrue(inventory.reserve("o-1", items, false).reserved());
        assertTrue(inventory.reserve("o-1", items, false).reserved());
        assertEquals(new Stock("a", 3, 2), inventory.stock("a").orElseThrow());

        assertTrue(inventory.release("o-1"));
        assertFalse(inventory.release("o-1"));
        assertEquals(new Stock("a", 5, 0), inventory.stock("a").orElseThrow());
        assertFalse(inventory.reserve("o-1", items, false).reserved(), "a released order is not reserved again");
        assertEquals(new Stock("a", 5, 0), inventory.stock("a").orElseThrow());
        assertEquals(List.of("o-1 a RESERVE 2", "o-1 a RELEASE 2"), effects());
    }

    @Test
    void aReleaseThatOvertakesItsReservationLeavesATombstone() {
        inventory.createStock("a", 5);
        assertFalse(inventory.release("early"));
        assertEquals(new Outcome(false, "order early was released"),
                     inventory.reserve("early", List.of(new Item("a", 1)), false));
        assertEquals(new Stock("a", 5, 0), inventory.stock("a").orElseThrow());
        assertEquals(List.of(), effects());
    }

    @Test
    void aRejectedOrderHasNothingToRelease() {
        inventory.createStock("a", 1);
        assertFalse(inventory.reserve("big", List.of(new Item("a", 2)), false).reserved());
        assertFalse(inventory.release("big"));
        assertEquals(new Outcome(false, "insufficient stock for product a: 2 requested"),
                     inventory.reserve("big", List.of(new Item("a", 2)), false));
        assertEquals(new Stock("a", 1, 0), inventory.stock("a").orElseThrow());
        assertEquals(List.of(), effects());
    }

    private List<String> effects() {
        return database.transaction(connection -> {
            List<String> lines = new ArrayList<>();
            try (var select = connection.prepareStatement(
                    "SELECT order_id, product_id, kind, quantity FROM stock_effects ORDER BY id");
                 var row = select.executeQuery()) {
                while (row.next()) {
                    lines.add(row.getString(1) + " " + row.getString(2) + " " + row.getString(3) + " "
                                      + row.getInt(4));
                }
            }
            return lines;
        });
    }

    @Test
    void anUnknownProductIsRetriedOrRejected() {
        List<Item> items = List.of(new Item("later", 1));
        assertThrows(IllegalStateException.class, () -> inventory.reserve("o-1", items, true));
        assertEquals(new Outcome(false, "no stock known for product later"), inventory.reserve("o-1", items, false));
    }

    @Test
    void concurrentReservationsNeverOversell() throws Exception {
        inventory.createStock("last", 10);
        List<Future<Outcome>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 50; i++) {
                String order = "o-" + i;
                outcomes.add(threads.submit(() -> reserveRetryingLockTimeouts(order)));
            }
        }
        int reserved = 0;
        for (Future<Outcome> outcome : outcomes) {
            reserved += outcome.get().reserved() ? 1 : 0;
        }
        assertEquals(10, reserved);
        assertEquals(new Stock("last", 0, 10), inventory.stock("last").orElseThrow());
    }

    /** H2 may time out a row lock under contention; a durable consumer would be redelivered the event. */
    private Outcome reserveRetryingLockTimeouts(String order) {
        while (true) {
            try {
                return inventory.reserve(order, List.of(new Item("last", 1)), false);
            } catch (IllegalStateException e) {
                if (Database.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }

    @Test
    void aReservationCommittedWhileItsReleaseRunsIsReleasedNotLeaked() {
        inventory.createStock("race", 5);
        // the reservation of o-race commits right after the release's update of reservations
        scratch.commitAfterNextUpdateOf("reservations", List.of(
                "INSERT INTO reservations (order_id, status, reason) VALUES ('o-race', 'RESERVED', NULL)",
                "INSERT INTO reservation_items (order_id, product_id, quantity) VALUES ('o-race', 'race', 1)",
                "UPDATE stock SET available = available - 1, reserved = reserved + 1 WHERE product_id = 'race'",
                "INSERT INTO stock_effects (order_id, product_id, kind, quantity) VALUES ('o-race', 'race', "
                        + "'RESERVE', 1)"));

        assertTrue(inventory.release("o-race"), "the reservation that committed during the release is released");

        assertEquals(new Stock("race", 5, 0), inventory.stock("race").orElseThrow());
    }
}
