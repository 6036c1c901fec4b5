package dev.flotilla.messaging.config;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import dev.flotilla.core.config.ConfigLayer;
import dev.flotilla.core.config.ConfigLayerProvider;
import dev.flotilla.messaging.NatsSettings;
import io.helidon.config.Config;

/**
 * Gives a service central configuration from a NATS key-value bucket when its local configuration sets
 * {@code config.central.bucket}. Found through {@link java.util.ServiceLoader}.
 *
 * <p>Keys under {@code config.central}:
 * <ul>
 *     <li>{@code bucket}: the bucket's name; without it the service has no central configuration;</li>
 *     <li>{@code optional} (default {@code false}): when {@code true}, a service that cannot reach the bucket at
 *     start-up starts from its local configuration, says so in its log and health details, and applies the central
 *     values when the bucket can be reached; when {@code false} it fails to start;</li>
 *     <li>{@code start-timeout} (default {@code PT5S}): how long start-up waits for the bucket's values;</li>
 *     <li>{@code retry-interval} (default {@code PT1S}): how often an unreachable bucket is tried again;</li>
 *     <li>{@code nats}: how to reach NATS, the same keys as {@code messaging.nats} (default: {@code messaging.nats}
 *     itself);</li>
 *     <li>{@code restart-required}: extra key prefixes this service reads at start only (see
 *     {@code docs/configuration.md}).</li>
 * </ul>
 * Thread-safe and stateless.
 */
public final class NatsConfigLayerProvider implements ConfigLayerProvider {
    /** The config section of the central configuration. */
    public static final String CONFIG_KEY = "config.central";
    /** Default of {@code config.central.start-timeout}. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(5);
    /** Default of {@code config.central.retry-interval}. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

    /**
     * Creates the provider (used by {@link java.util.ServiceLoader}).
     */
    public NatsConfigLayerProvider() {
    }

    /**
     * Connects to the bucket named by {@code config.central.bucket} and loads the service's values.
     *
     * @param serviceName the service's name
     * @param localConfig the service's local configuration
     * @return the layer, or empty without {@code config.central.bucket}
     * @throws IllegalStateException    if the bucket cannot be reached and {@code config.central.optional} is not
     *                                  {@code true}; the message names the bucket, the servers and the reason
     * @throws IllegalArgumentException if a {@code config.central} or NATS setting is invalid
     */
    @Override
    public Optional<ConfigLayer> create(String serviceName, Config localConfig) {
        Config central = localConfig.get(CONFIG_KEY);
        Optional<String> bucket = central.get("bucket").asString().asOptional().filter(b -> !b.isBlank());
        if (bucket.isEmpty()) {
            return Optional.empty();
        }
        Config natsNode = localConfig.get(natsKey(localConfig));
        NatsConfigLayer.Settings settings = new NatsConfigLayer.Settings(
                serviceName,
                bucket.get(),
                NatsSettings.create(natsNode),
                central.get("optional").asBoolean().orElse(false),
                central.get("start-timeout").as(Duration.class).orElse(DEFAULT_START_TIMEOUT),
                central.get("retry-interval").as(Duration.class).orElse(DEFAULT_RETRY_INTERVAL));
        return Optional.of(NatsConfigLayer.open(settings));
    }

    /**
     * Where the connection to the bucket is configured: {@code config.central.nats} when it exists, else
     * {@code messaging.nats}. The central configuration command reads the same.
     */
    static String natsKey(Config localConfig) {
        return localConfig.get(CONFIG_KEY + ".nats").exists() ? CONFIG_KEY + ".nats" : "messaging.nats";
    }

    /** The {@link #CONFIG_KEY} section: the bucket and its connection are chosen once, at start. */
    @Override
    public Set<String> sectionsReadAtStart() {
        return Set.of(CONFIG_KEY);
    }
}
