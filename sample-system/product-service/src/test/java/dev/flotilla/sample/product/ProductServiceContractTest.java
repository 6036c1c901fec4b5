package dev.flotilla.sample.product;

import java.nio.file.Path;

import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.product.api.ProductCreated;
import dev.flotilla.testkit.ContractCompatibility;
import org.junit.jupiter.api.Test;

/**
 * The product-service's contract (HTTP and events) compared with the snapshot committed in {@code
 * src/test/resources/contract-snapshot.json}: fails on a change that breaks a consumer. After a meant change, run
 * {@code ./mvnw test -pl sample-system/product-service -am -Dtest=ProductServiceContractTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dflotilla.contract.update=true}
 * and review and commit the snapshot.
 */
class ProductServiceContractTest {
    @Test
    void contractStaysCompatibleWithTheCommittedSnapshot() {
        ContractDocument current = ContractDocument.builder()
                .title("product-service").version("1.0.0")
                .http(ProductApi.class, ProductApiV2.class)
                .event(EventContract.publishes(ProductCreated.SUBJECT, ProductCreated.class))
                .build();
        ContractCompatibility.assertCompatible(Path.of("src/test/resources/contract-snapshot.json"), current);
    }
}
