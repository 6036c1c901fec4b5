package dev.flotilla.testkit.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.testkit.ContractCompatibility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each breaking change is named; additive changes pass; the snapshot is written only on request. */
class ContractCompatibilityTest {
    private static final EventContract REGISTERED_V1 =
            EventContract.publishes("users.user-registered.v1", UserContracts.UserRegistered.class);
    private static final EventContract REGISTERED_V2 =
            EventContract.publishes("users.user-registered.v2", UserContracts.UserRegisteredV2.class);

    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(ContractCompatibility.UPDATE_PROPERTY);
    }

    private static ContractDocument contract(Class<?> http, EventContract... events) {
        return ContractDocument.builder().title("user-service").version("1.0.0").http(http).event(events).build();
    }

    private static List<String> changes(Class<?> http, EventContract... events) {
        return ContractCompatibility.breakingChanges(contract(UserContracts.Recorded.class, REGISTERED_V1),
                                                     contract(http, events));
    }

    @Test
    void anUnchangedContractHasNoBreakingChange() {
        assertEquals(List.of(), changes(UserContracts.Recorded.class, REGISTERED_V1));
    }

    @Test
    void aRemovedEndpointBreaks() {
        assertEquals(List.of("BREAKING: DELETE /v1/users/{id}: operation removed"),
                     changes(UserContracts.EndpointRemoved.class, REGISTERED_V1));
    }

    @Test
    void aRemovedResponseFieldBreaks() {
        assertEquals(List.of("BREAKING: GET /v1/users/{id}: response field 'email' removed"),
                     changes(UserContracts.ResponseFieldRemoved.class, REGISTERED_V1));
    }

    @Test
    void aRemovedParameterBreaks() {
        assertEquals(List.of("BREAKING: GET /v1/users: query parameter 'page' removed"),
                     changes(UserContracts.ParameterRemoved.class, REGISTERED_V1));
    }

    @Test
    void aChangedParameterTypeBreaks() {
        assertEquals(List.of("BREAKING: GET /v1/users: query parameter 'page' type changed from integer to string"),
                     changes(UserContracts.ParameterTypeChanged.class, REGISTERED_V1));
    }

    @Test
    void aChangedFieldTypeBreaks() {
        List<String> changes = changes(UserContracts.FieldTypeChanged.class, REGISTERED_V1);
        assertTrue(changes.contains("BREAKING: GET /v1/users/{id}: response field 'id' type changed from integer to "
                                            + "string"), changes.toString());
    }

    @Test
    void anOptionalRequestFieldMadeRequiredBreaks() {
        assertEquals(List.of("BREAKING: POST /v1/users: request field 'phone' became required"),
                     changes(UserContracts.OptionalMadeRequired.class, REGISTERED_V1));
    }

    @Test
    void anOptionalParameterMadeRequiredBreaks() {
        assertEquals(List.of("BREAKING: GET /v1/users: query parameter 'page' became required"),
                     changes(UserContracts.ParameterMadeRequired.class, REGISTERED_V1));
    }

    @Test
    void aNarrowedEnumBreaks() {
        assertEquals(List.of("BREAKING: POST /v1/users: request field 'status' (enum UserContracts.Status): "
                                     + "enum value 'ARCHIVED' removed"),
                     changes(UserContracts.EnumNarrowed.class, REGISTERED_V1));
    }

    @Test
    void aNewEnumValueInAResponseBreaksStrictReaders() {
        assertEquals(List.of("BREAKING: GET /v1/users/{id}: response field 'status' (enum UserContracts.Status): "
                                     + "enum value 'SUSPENDED' added to what consumers read (readers reject unknown "
                                     + "constants)"),
                     changes(UserContracts.ResponseEnumWidened.class, REGISTERED_V1));
    }

    @Test
    void aRemovedEventVersionBreaks() {
        assertEquals(List.of("BREAKING: event users.user-registered.v1 removed: its consumers get nothing (publish it "
                                     + "until they move to the next version)"),
                     changes(UserContracts.Recorded.class, REGISTERED_V2));
    }

    @Test
    void aRemovedEventFieldBreaks() {
        ObjectNode schema = (ObjectNode) REGISTERED_V1.schema();
        ((ObjectNode) schema.get("properties")).remove("id");
        EventContract narrowed = new EventContract("users.user-registered.v1", EventContract.Direction.PUBLISHES,
                                                   schema, false, Optional.empty());
        List<String> changes = ContractCompatibility.breakingChanges(
                contract(UserContracts.Recorded.class, REGISTERED_V1), contract(UserContracts.Recorded.class,
                                                                                narrowed));
        assertTrue(changes.contains("BREAKING: event users.user-registered.v1: field 'id' removed"), changes.toString());
    }

    @Test
    void additiveChangesPass() {
        // a new endpoint, optional parameter, optional request field, response field, request enum value, and a
        // second event version published beside the first
        assertEquals(List.of(), changes(UserContracts.Additive.class, REGISTERED_V1, REGISTERED_V2));
    }

    @Test
    void everyBreakingChangeIsListedInOneFailure() throws IOException {
        Path snapshot = dir.resolve("contract-snapshot.json");
        Files.writeString(snapshot, contract(UserContracts.Recorded.class, REGISTERED_V1).toJson());
        AssertionError error = assertThrows(AssertionError.class, () -> ContractCompatibility.assertCompatible(
                snapshot, contract(UserContracts.ResponseFieldRemoved.class)));
        assertTrue(error.getMessage().contains("2 changes"), error.getMessage());
        assertTrue(error.getMessage().contains("BREAKING: GET /v1/users/{id}: response field 'email' removed"));
        assertTrue(error.getMessage().contains("BREAKING: event users.user-registered.v1 removed"));
    }

    @Test
    void aMissingSnapshotFailsWithInstructions() {
        Path snapshot = dir.resolve("contract-snapshot.json");
        AssertionError error = assertThrows(AssertionError.class, () -> ContractCompatibility.assertCompatible(
                snapshot, contract(UserContracts.Recorded.class)));
        assertTrue(error.getMessage().contains("-Dflotilla.contract.update=true"), error.getMessage());
        assertFalse(Files.exists(snapshot), "never written without the property");
    }

    @Test
    void theSnapshotIsWrittenOnlyWithTheSystemProperty() throws IOException {
        Path snapshot = dir.resolve("nested/contract-snapshot.json");
        ContractDocument recorded = contract(UserContracts.Recorded.class, REGISTERED_V1);
        System.setProperty(ContractCompatibility.UPDATE_PROPERTY, "true");
        ContractCompatibility.assertCompatible(snapshot, recorded);
        assertEquals(recorded, ContractDocument.parse(Files.readString(snapshot)));

        System.clearProperty(ContractCompatibility.UPDATE_PROPERTY);
        ContractDocument additive = contract(UserContracts.Additive.class, REGISTERED_V1);
        ContractCompatibility.assertCompatible(snapshot, additive);
        assertEquals(recorded, ContractDocument.parse(Files.readString(snapshot)), "additive: not rewritten");

        ContractDocument breaking = contract(UserContracts.EndpointRemoved.class, REGISTERED_V1);
        assertThrows(AssertionError.class, () -> ContractCompatibility.assertCompatible(snapshot, breaking));
        System.setProperty(ContractCompatibility.UPDATE_PROPERTY, "true");
        ContractCompatibility.assertCompatible(snapshot, breaking);
        assertEquals(breaking, ContractDocument.parse(Files.readString(snapshot)), "accepted on request");
    }
}
