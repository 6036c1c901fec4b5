package dev.flotilla.testkit;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceExtensionProvider;

/**
 * What a {@link TestSystem} was built with: a copy of its builder's settings, so a built system never changes.
 *
 * @param entries         the services, in declaration order
 * @param sharedConfig    configuration for every service
 * @param natsMode        where messaging runs
 * @param fallbackToInJvm whether the in-JVM transport may stand in for a missing nats-server
 * @param extensions      further extension providers for every service
 * @param natsBinary      where the nats-server binary is looked for
 * @param centralSeed     the bucket keys central configuration starts with; empty when the system has none
 * @param natsPort        how the nats-server's port is picked before the server starts
 * @param security        per service name: its identity and trust ({@code security.*} keys), below the shared and
 *                        per-service configuration
 * @param leastPrivilege  the extra grants of least-privilege NATS; empty when every client may do anything
 */
record SystemDefinition(List<Entry> entries, Map<String, String> sharedConfig, NatsMode natsMode,
                        boolean fallbackToInJvm, List<ServiceExtensionProvider> extensions,
                        Supplier<Optional<Path>> natsBinary, Optional<Map<String, String>> centralSeed,
                        IntSupplier natsPort, Map<String, Map<String, String>> security,
                        Optional<java.util.function.Consumer<dev.flotilla.messaging.permissions.NatsPermissions.Builder>>
                                leastPrivilege) {

    SystemDefinition {
        security = Map.copyOf(security);
        entries = List.copyOf(entries);
        sharedConfig = Map.copyOf(sharedConfig);
        extensions = List.copyOf(extensions);
        centralSeed = centralSeed.map(Map::copyOf);
    }

    /**
     * One service of the system with its own overrides.
     *
     * @param service   the service
     * @param overrides its configuration overrides
     */
    record Entry(Service service, Map<String, String> overrides) {
    }
}
