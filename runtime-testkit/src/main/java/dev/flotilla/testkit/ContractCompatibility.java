package dev.flotilla.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import dev.flotilla.core.contract.ContractDocument;

/**
 * The check that no change to a service's contract breaks a consumer: compares the current
 * {@link ContractDocument} with the snapshot committed beside the service's code, in a JUnit test.
 *
 * <pre>{@code
 * @Test
 * void contractStaysCompatible() {
 *     ContractCompatibility.assertCompatible(Path.of("src/test/resources/contract-snapshot.json"),
 *             ContractDocument.builder().title("product-service").http(ProductApiV1.class, ProductApiV2.class)
 *                     .build());
 * }
 * }</pre>
 *
 * <p>The test fails, naming every change that breaks an existing consumer (see {@code docs/versioning.md} for the
 * list); additive changes pass. The snapshot is written only when the system property {@value #UPDATE_PROPERTY} is
 * {@code true} ({@code ./mvnw test -Dflotilla.contract.update=true}): never silently, so a breaking change is a
 * decision someone commits. Thread-safe (no state).
 */
public final class ContractCompatibility {
    /** The system property that (re)writes snapshots instead of comparing: {@value}. */
    public static final String UPDATE_PROPERTY = "flotilla.contract.update";

    private ContractCompatibility() {
    }

    /**
     * Compares {@code current} with the snapshot file, or writes the file when {@value #UPDATE_PROPERTY} is
     * {@code true}.
     *
     * @param snapshot the snapshot file, such as {@code src/test/resources/contract-snapshot.json}
     * @param current  the contract as the code declares it now
     * @throws AssertionError       if a change breaks a consumer (one line per change), or the snapshot is missing
     *                              or unreadable and the property is not set (the message says what to run)
     * @throws UncheckedIOException if the snapshot cannot be read or written
     * @throws NullPointerException if an argument is {@code null}
     */
    public static void assertCompatible(Path snapshot, ContractDocument current) {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(current, "current");
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            write(snapshot, current);
            System.out.println("Contract snapshot " + snapshot + " updated (" + UPDATE_PROPERTY + "=true): review "
                                       + "and commit it.");
            return;
        }
        if (!Files.exists(snapshot)) {
            throw new AssertionError("No contract snapshot at " + snapshot.toAbsolutePath() + ". Record the current "
                    + "contract with: ./mvnw test -D" + UPDATE_PROPERTY + "=true, then commit the file.");
        }
        ContractDocument recorded;
        try {
            recorded = ContractDocument.parse(Files.readString(snapshot, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the contract snapshot " + snapshot, e);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("The contract snapshot " + snapshot + " is not a contract document ("
                    + e.getMessage() + "). Rewrite it with -D" + UPDATE_PROPERTY + "=true.", e);
        }
        List<String> breaking = breakingChanges(recorded, current);
        if (!breaking.isEmpty()) {
            throw new AssertionError("The contract breaks existing consumers (" + breaking.size() + " change"
                    + (breaking.size() == 1 ? "" : "s") + " against " + snapshot + "):\n  "
                    + String.join("\n  ", breaking)
                    + "\nServe a new version beside the old one instead (see docs/versioning.md). If every consumer "
                    + "has moved, accept the change with -D" + UPDATE_PROPERTY + "=true and commit the snapshot.");
        }
        if (!recorded.equals(current)) {
            System.out.println("Contract of " + snapshot + " changed compatibly; record it with -D"
                                       + UPDATE_PROPERTY + "=true.");
        }
    }

    /**
     * The changes from {@code before} to {@code after} that break an existing consumer, one message each, such as
     * {@code BREAKING: GET /v1/users/{id}: response field 'email' removed}.
     *
     * @param before the recorded contract
     * @param after  the current contract
     * @return the messages; empty when every consumer keeps working
     * @throws NullPointerException if an argument is {@code null}
     */
    public static List<String> breakingChanges(ContractDocument before, ContractDocument after) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        return List.copyOf(ContractDiff.breakingChanges(before, after));
    }

    private static void write(Path snapshot, ContractDocument current) {
        try {
            Path parent = snapshot.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(snapshot, current.toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the contract snapshot " + snapshot, e);
        }
    }
}
