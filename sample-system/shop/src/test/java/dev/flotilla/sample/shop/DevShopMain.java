package dev.flotilla.sample.shop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.testkit.TestIdentities;
import dev.flotilla.testkit.nats.NatsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shop for a development run, what {@code ./mvnw -q -pl sample-system/shop -am -DskipTests package exec:java}
 * starts (from the test classpath, like Spring Boot's {@code TestApplication}): messaging runs on the NATS server in
 * {@code NATS_URL}; else on a nats-server from the {@code PATH} (or {@code NATS_SERVER_BIN}) started for the shop and
 * stopped with it; else on the in-JVM transport. Everything else is {@link ShopMain}'s. It lives with the tests
 * because starting a process is no job for the shop's own code.
 */
public final class DevShopMain {
    private static final Logger LOG = LoggerFactory.getLogger(DevShopMain.class);

    private DevShopMain() {
    }

    /**
     * Starts the shop, with a nats-server of its own when there is no {@code NATS_URL} and a nats-server binary.
     *
     * @param args {@code --key=value} configuration overrides for every service
     * @throws IllegalStateException if the nats-server does not start
     */
    public static void main(String[] args) {
        args = withDevelopmentUsers(args);
        String natsUrl = System.getenv("NATS_URL");
        if (natsUrl != null && !natsUrl.isBlank()) {
            ShopMain.main(args);
            return;
        }
        if (NatsServer.findBinary().isEmpty()) {
            LOG.warn("No nats-server on the PATH: install it (apt-get install nats-server) or set {} for durable "
                             + "events", NatsServer.BINARY_ENV);
            ShopMain.main(args);
            return;
        }
        NatsServer server = NatsServer.start();
        LOG.info("Messaging: nats-server started for the shop at {}, with JetStream", server.url());
        try {
            ShopMain.run(server.url(), args, server::close);
        } catch (RuntimeException e) {
            server.close(); // the shop failed before its shutdown hook could stop the server
            throw e;
        }
    }

    /**
     * The shop's services accept the user tokens of a development issuer made for this run (its key lives in this
     * JVM only), and an operator's token is printed for curl. The production path ({@code ShopMain} alone) has no
     * such issuer: its services accept the tokens of the identity provider its {@code security.jwt.*} settings
     * name, and without one every method that needs a signed-in user answers 401.
     */
    private static String[] withDevelopmentUsers(String[] args) {
        TestIdentities development = TestIdentities.generate(List.of(ShopApi.SERVICE));
        List<String> all = new ArrayList<>(List.of(args));
        development.config(ShopApi.SERVICE).forEach((key, value) -> {
            if (key.startsWith("security.jwt.")) {
                all.add("--" + key + "=" + value);
            }
        });
        String token = development.userToken("dev-operator", Duration.ofHours(8), ShopApi.OPERATOR);
        try {
            Path file = Path.of("target", "dev-token");
            Files.createDirectories(file.getParent());
            Files.writeString(file, token);
            LOG.info("Development users: an operator's token (valid 8 hours) is in {}; use it as "
                             + "-H \"Authorization: Bearer $(cat {})\"", file.toAbsolutePath(), file.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toArray(String[]::new);
    }
}
