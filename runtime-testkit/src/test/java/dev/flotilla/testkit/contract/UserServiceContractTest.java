package dev.flotilla.testkit.contract;

import java.nio.file.Path;

import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.testkit.ContractCompatibility;
import org.junit.jupiter.api.Test;

/** The check as a service's build runs it, against the snapshot committed in src/test/resources. */
class UserServiceContractTest {

    // tag::check[]
    @Test
    void contractStaysCompatibleWithTheCommittedSnapshot() {
        ContractDocument current = ContractDocument.builder()
                .title("user-service").version("1.0.0")
                .http(UserContracts.Recorded.class)
                .event(EventContract.publishes("users.user-registered.v1", UserContracts.UserRegistered.class))
                .build();
        ContractCompatibility.assertCompatible(Path.of("src/test/resources/contract-snapshot.json"), current);
    }
    // end::check[]
}
