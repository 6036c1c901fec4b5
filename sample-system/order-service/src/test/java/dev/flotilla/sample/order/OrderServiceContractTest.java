package dev.flotilla.sample.order;

import java.nio.file.Path;

import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.OrderRejected;
import dev.flotilla.testkit.ContractCompatibility;
import org.junit.jupiter.api.Test;

/**
 * The order-service's contract (HTTP and events) compared with the snapshot committed in {@code
 * src/test/resources/contract-snapshot.json}: fails on a change that breaks a consumer. After a meant change, run
 * {@code ./mvnw test -pl sample-system/order-service -am -Dtest=OrderServiceContractTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dflotilla.contract.update=true}
 * and review and commit the snapshot.
 */
class OrderServiceContractTest {
    @Test
    void contractStaysCompatibleWithTheCommittedSnapshot() {
        ContractDocument current = ContractDocument.builder()
                .title("order-service").version("1.0.0")
                .http(OrderApi.class)
                .event(EventContract.publishes(OrderPlaced.SUBJECT, OrderPlaced.class),
                       EventContract.publishes(OrderConfirmed.SUBJECT, OrderConfirmed.class),
                       EventContract.publishes(OrderRejected.SUBJECT, OrderRejected.class),
                       EventContract.publishes(OrderCancelled.SUBJECT, OrderCancelled.class),
                       EventContract.publishes(ReserveStock.SUBJECT, ReserveStock.class),
                       EventContract.publishes(ReleaseStock.SUBJECT, ReleaseStock.class),
                       EventContract.consumes(StockReserved.SUBJECT, StockReserved.class),
                       EventContract.consumes(StockRejected.SUBJECT, StockRejected.class))
                .build();
        ContractCompatibility.assertCompatible(Path.of("src/test/resources/contract-snapshot.json"), current);
    }
}
