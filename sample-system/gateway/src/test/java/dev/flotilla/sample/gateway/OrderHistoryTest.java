package dev.flotilla.sample.gateway;

import java.util.List;

import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.ScratchH2;
import dev.flotilla.sample.gateway.ShopApi.OrderSummary;
import dev.flotilla.sample.order.api.OrderApi.Status;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The read model accepts events of one order in any order and more than once, and only moves forward. */
class OrderHistoryTest {
    private final ScratchH2 scratch = ScratchH2.create("gateway", OrderHistory.SCHEMA);
    private final Database database = scratch.database();
    private final OrderHistory history = new OrderHistory(database);

    @AfterEach
    void close() {
        scratch.close();
    }

    @Test
    void aConfirmationBeforeThePlacementStillEndsConfirmedWithItsTotal() {
        history.apply("o-1", "u-1", Status.CONFIRMED, 500L, null);
        history.apply("o-1", "u-1", Status.PENDING, 500L, null);
        history.apply("o-1", "u-1", Status.CONFIRMED, 500L, null);
        assertEquals(List.of(new OrderSummary("o-1", Status.CONFIRMED, 500, null)), history.ofUser("u-1"));
    }

    @Test
    void aRejectionWithoutTotalGetsItFromThePlacement() {
        history.apply("o-2", "u-2", Status.REJECTED, null, "no stock");
        history.apply("o-2", "u-2", Status.PENDING, 300L, null);
        history.apply("o-3", "u-2", Status.PENDING, 100L, null);
        history.apply("o-3", "u-2", Status.CANCELLED, null, null);
        history.apply("o-3", "u-2", Status.CONFIRMED, 100L, null);
        assertEquals(List.of(new OrderSummary("o-2", Status.REJECTED, 300, "no stock"),
                             new OrderSummary("o-3", Status.CANCELLED, 100, null)), history.ofUser("u-2"));
    }
}
