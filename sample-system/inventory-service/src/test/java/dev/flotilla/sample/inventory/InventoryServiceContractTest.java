package dev.flotilla.sample.inventory;

import java.nio.file.Path;

import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReleased;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.product.api.ProductCreated;
import dev.flotilla.testkit.ContractCompatibility;
import org.junit.jupiter.api.Test;

/**
 * The inventory-service's contract (HTTP and events) compared with the snapshot committed in {@code
 * src/test/resources/contract-snapshot.json}: fails on a change that breaks a consumer. After a meant change, run
 * {@code ./mvnw test -pl sample-system/inventory-service -am -Dtest=InventoryServiceContractTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dflotilla.contract.update=true}
 * and review and commit the snapshot.
 */
class InventoryServiceContractTest {
    @Test
    void contractStaysCompatibleWithTheCommittedSnapshot() {
        ContractDocument current = ContractDocument.builder()
                .title("inventory-service").version("1.0.0")
                .http(InventoryApi.class)
                .event(EventContract.publishes(StockReserved.SUBJECT, StockReserved.class),
                       EventContract.publishes(StockRejected.SUBJECT, StockRejected.class),
                       EventContract.publishes(StockReleased.SUBJECT, StockReleased.class),
                       EventContract.consumes(ProductCreated.SUBJECT, ProductCreated.class),
                       EventContract.consumes(ReserveStock.SUBJECT, ReserveStock.class),
                       EventContract.consumes(ReleaseStock.SUBJECT, ReleaseStock.class))
                .build();
        ContractCompatibility.assertCompatible(Path.of("src/test/resources/contract-snapshot.json"), current);
    }
}
