package dev.flotilla.sample.gateway;

import java.nio.file.Path;

import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.OrderRejected;
import dev.flotilla.testkit.ContractCompatibility;
import org.junit.jupiter.api.Test;

/**
 * The gateway's contract (HTTP and events) compared with the snapshot committed in {@code
 * src/test/resources/contract-snapshot.json}: fails on a change that breaks a consumer. After a meant change, run
 * {@code ./mvnw test -pl sample-system/gateway -am -Dtest=GatewayContractTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dflotilla.contract.update=true}
 * and review and commit the snapshot.
 */
class GatewayContractTest {
    @Test
    void contractStaysCompatibleWithTheCommittedSnapshot() {
        ContractDocument current = ContractDocument.builder()
                .title("gateway").version("1.0.0")
                .http(ShopApi.class)
                .event(EventContract.consumes(OrderPlaced.SUBJECT, OrderPlaced.class),
                       EventContract.consumes(OrderConfirmed.SUBJECT, OrderConfirmed.class),
                       EventContract.consumes(OrderRejected.SUBJECT, OrderRejected.class),
                       EventContract.consumes(OrderCancelled.SUBJECT, OrderCancelled.class))
                .build();
        ContractCompatibility.assertCompatible(Path.of("src/test/resources/contract-snapshot.json"), current);
    }
}
