package dev.flotilla.sample.user;

import java.nio.file.Path;

import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.testkit.ContractCompatibility;
import org.junit.jupiter.api.Test;

/**
 * The user-service's HTTP contract (it publishes no events) compared with the snapshot committed in {@code
 * src/test/resources/contract-snapshot.json}: fails on a change that breaks a consumer. After a meant change, run
 * {@code ./mvnw test -pl sample-system/user-service -am -Dtest=UserServiceContractTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dflotilla.contract.update=true}
 * and review and commit the snapshot.
 */
class UserServiceContractTest {
    @Test
    void contractStaysCompatibleWithTheCommittedSnapshot() {
        ContractDocument current = ContractDocument.builder()
                .title("user-service").version("1.0.0")
                .http(UserApi.class)
                .build();
        ContractCompatibility.assertCompatible(Path.of("src/test/resources/contract-snapshot.json"), current);
    }
}
