package dev.flotilla.sample.shop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.flotilla.core.Service;
import dev.flotilla.core.security.ServiceKeys;
import dev.flotilla.core.Flotilla;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.ServiceStartException;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.config.CentralConfig;
import dev.flotilla.sample.gateway.GatewayService;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.InventoryService;
import dev.flotilla.sample.order.OrderService;
import dev.flotilla.sample.product.ProductService;
import dev.flotilla.sample.user.UserService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the five services of the shop in one JVM, each on its own port (gateway 8080, the others 8081 to 8084) with
 * its own database, until Ctrl-C. Messaging runs on the NATS server in {@code NATS_URL}, else on the in-JVM transport
 * (at-most-once events, no JetStream); it logs which. On NATS, the shop's shared settings
 * ({@code central-config.yaml}: the gateway's timeouts toward each service, the {@code product-details} feature flag)
 * live in the central configuration bucket {@value CentralConfig#DEFAULT_BUCKET}, created and filled with the keys
 * it lacks at start-up, so changes made there survive a restart.
 *
 * <p>For a development run that starts a nats-server of its own, see {@code DevShopMain} in the module's tests
 * (what {@code exec:java} runs).
 */
public final class ShopMain {
    private static final Logger LOG = LoggerFactory.getLogger(ShopMain.class);

    private ShopMain() {
    }

    /**
     * Starts the shop.
     *
     * @param args {@code --key=value} configuration overrides for every service
     */
    public static void main(String[] args) {
        String natsUrl = System.getenv("NATS_URL");
        if (natsUrl != null && !natsUrl.isBlank()) {
            LOG.info("Messaging: NATS at {} (from NATS_URL), with JetStream", natsUrl);
        } else {
            natsUrl = null;
            LOG.warn("Messaging: in-JVM transport (no NATS_URL): events are at-most-once; set NATS_URL to a NATS "
                             + "server for durable events");
        }
        run(natsUrl, args, () -> { });
    }

    /**
     * Starts the five services and waits for Ctrl-C or SIGTERM, then stops them gracefully and runs
     * {@code afterStop}; exits the JVM with status 1 if they cannot start.
     *
     * @param natsUrl   the NATS server's URL; {@code null} for the in-JVM transport
     * @param args      {@code --key=value} configuration overrides for every service
     * @param afterStop what to stop once the services have stopped (such as a nats-server started for them)
     */
    static void run(String natsUrl, String[] args, Runnable afterStop) {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (natsUrl == null) {
            overrides.put("messaging.transport", "in-jvm");
        } else {
            overrides.put("messaging.transport", "nats");
            overrides.put("messaging.nats.servers", natsUrl);
            seedCentralConfig(natsUrl);
            overrides.put("config.central.bucket", CentralConfig.DEFAULT_BUCKET);
        }
        overrides.putAll(Flotilla.parseArguments(args));
        List<Service> services = List.of(new UserService(), new ProductService(), new InventoryService(),
                                         new OrderService(), new GatewayService());
        // The services of this JVM know each other: a key each, made for this run and never written anywhere, and
        // all their public keys trusted (they sign their calls and events; events are handled only when their
        // publisher verifies). Services run as their own processes get their keys from their environment instead.
        Map<String, String> keys = ServiceKeys.generate(services.stream().map(Service::name).toList());
        String trusted = ServiceKeys.trustedSet(keys.values());
        ServiceRuntime.Builder builder = ServiceRuntime.builder();
        for (Service service : services) {
            builder.addService(service, Map.of("security.identity.key", keys.get(service.name()),
                                               "security.identity.trusted", trusted));
        }
        overrides.forEach(builder::override);
        ServiceRuntime runtime = builder.build();
        // Stops the services (Flotilla's own hook does too; a stop is idempotent), then what they used.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shop-stop").unstarted(() -> {
            runtime.stop();
            afterStop.run();
        }));
        try {
            runtime.start();
        } catch (ServiceStartException e) {
            LOG.error("The shop cannot start: {}", e.getMessage(), e.getCause());
            System.exit(1);
        }
        LOG.info("The shop is ready: gateway at {}/api/v1 (Ctrl-C stops it)",
                 runtime.service(ShopApi.SERVICE).uri());
        // Already started: this waits for Ctrl-C or SIGTERM and stops the services gracefully.
        Flotilla.runUntilShutdown(runtime);
    }

    /** Creates the bucket if needed and puts the keys of central-config.yaml it lacks; existing values win. */
    static void seedCentralConfig(String natsUrl) {
        try (CentralConfig central = CentralConfig.connect(NatsSettings.builder().server(natsUrl).build(),
                                                           CentralConfig.DEFAULT_BUCKET)) {
            central.createBucket(CentralConfig.DEFAULT_HISTORY);
            Map<String, String> present = central.list("");
            int added = 0;
            for (Map.Entry<String, String> e : defaults().entrySet()) {
                if (!present.containsKey(e.getKey())) {
                    central.put(e.getKey(), e.getValue());
                    added++;
                }
            }
            LOG.info("Central configuration: bucket '{}' ({} key(s) added from central-config.yaml)",
                     CentralConfig.DEFAULT_BUCKET, added);
        }
    }

    /**
     * The shop's central settings from {@code central-config.yaml} on the classpath, as bucket keys.
     *
     * @return bucket keys and values
     * @throws IllegalStateException if the resource is missing
     */
    static Map<String, String> defaults() {
        try (java.io.InputStream in = ShopMain.class.getResourceAsStream("/central-config.yaml")) {
            if (in == null) {
                throw new IllegalStateException("central-config.yaml is missing from the classpath");
            }
            return CentralConfig.parseYaml(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
