package dev.flotilla.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.permissions.NatsPermissions;
import dev.flotilla.testkit.nats.NatsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test system's least-privilege NATS ({@link TestSystem.Builder#leastPrivilegeNats(Consumer)}): every service has
 * an NKey user of its own and an inbox of its own from the start, unrestricted while the system starts; once every
 * service is ready, what each does on NATS is collected from its {@code $SRV.INFO} and {@code flotilla.usage} answers (exactly as
 * {@link dev.flotilla.messaging.permissions.NatsPermissionsCommand} collects it from a development system), the
 * generated permissions are written to the server's configuration and the server reloads it. Connections stay up,
 * now under the permissions; a service restarted later connects under them from the start. The testkit's own
 * connections (capture, test client, central bucket) use an unrestricted user, {@value #TESTKIT_USER}.
 */
final class LeastPrivilegeNats implements AutoCloseable {
    /** The unrestricted user of the testkit's own connections: {@value}. */
    static final String TESTKIT_USER = "flotilla-testkit";
    private static final Logger LOG = LoggerFactory.getLogger(TestSystem.class);
    /** How long the services' {@code $SRV.INFO} answers, then their usage answers, are collected (each). */
    private static final Duration COLLECT = Duration.ofMillis(300);

    private final List<String> services;
    private final Consumer<NatsPermissions.Builder> grants;
    private final NatsPermissions open;
    private final Path config;
    private volatile NatsPermissions enforced;

    private LeastPrivilegeNats(List<String> services, Consumer<NatsPermissions.Builder> grants, NatsPermissions open,
                               Path config) {
        this.services = services;
        this.grants = grants;
        this.open = open;
        this.config = config;
    }

    /** Creates every user, unrestricted, and the server configuration file that lists them. */
    static LeastPrivilegeNats prepare(List<String> serviceNames, Consumer<NatsPermissions.Builder> grants) {
        List<String> services = List.copyOf(new LinkedHashSet<>(serviceNames));
        NatsPermissions.Builder builder = NatsPermissions.builder().unrestrictedUser(TESTKIT_USER);
        services.forEach(builder::unrestrictedUser);
        NatsPermissions open = builder.build();
        try {
            Path config = Files.createTempFile("flotilla-nats-authorization-", ".conf");
            Files.writeString(config, open.serverConfig());
            return new LeastPrivilegeNats(services, grants, open, config);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the test system's nats-server configuration", e);
        }
    }

    /** The configuration file the system's nats-server starts with. */
    Path configFile() {
        return config;
    }

    /** The NKey seed of the testkit's own connections. */
    String testkitSeed() {
        return open.serviceConfig(TESTKIT_USER).get(NatsPermissions.SEED_KEY);
    }

    /** A service's NKey seed and inbox prefix, as configuration keys. */
    Map<String, String> serviceConfig(String service) {
        return open.serviceConfig(service);
    }

    /** The permissions in force; empty until {@link #enforce(NatsServer)}. */
    java.util.Optional<NatsPermissions> enforced() {
        return java.util.Optional.ofNullable(enforced);
    }

    /**
     * Collects what the running services do, writes the permissions to the server's configuration and reloads it.
     *
     * @throws IllegalStateException if the server refuses the configuration
     */
    NatsPermissions enforce(NatsServer server) {
        NatsPermissions.Builder builder = NatsPermissions.builder()
                .collect(NatsSettings.builder().server(server.url()).nkeySeed(testkitSeed())
                                 .reconnectMaxAttempts(0).build(), COLLECT)
                .unrestrictedUser(TESTKIT_USER);
        services.forEach(builder::service);
        // a service's HTTP clients may look up any service of the system at any time, not only those seen so far
        for (String service : services) {
            for (String other : services) {
                if (!other.equals(service)) {
                    builder.allowPublish(service, "$SRV.INFO." + other.replaceAll("[^A-Za-z0-9_-]", "_"));
                }
            }
        }
        grants.accept(builder);
        for (String user : open.users()) {
            builder.seed(user, open.serviceConfig(user).get(NatsPermissions.SEED_KEY).toCharArray());
        }
        NatsPermissions permissions = builder.build();
        try {
            Files.writeString(config, permissions.serverConfig());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the test system's nats-server configuration", e);
        }
        server.reload();
        LOG.debug("Least-privilege NATS permissions in force:\n{}", permissions.serverConfig());
        enforced = permissions;
        return permissions;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(config);
        } catch (IOException e) {
            // a leftover temporary file holds public keys only
        }
    }
}
