package dev.flotilla.sample.shop;

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
}
