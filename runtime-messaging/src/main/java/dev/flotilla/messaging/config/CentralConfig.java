package dev.flotilla.messaging.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.NatsSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;

/**
 * A client of the central configuration bucket, a NATS JetStream key-value bucket: read, write, list, load a YAML
 * file, and look at a key's history to roll it back. The command line ({@link CentralConfigCommand}), the testkit and
 * the sample use it; any NATS client ({@code nats kv put}) can do the same.
 *
 * <p>Key layout: {@code shared.<key>} for every service and {@code <service-name>.<key>} for one service, where
 * {@code <key>} is a dotted key of the service's configuration ({@code gateway.resilience.user-service.timeout.duration});
 * a service's own key wins over the shared one.
 *
 * <pre>{@code
 * try (CentralConfig central = CentralConfig.connect(NatsSettings.builder().server(url).build(), "flotilla-config")) {
 *     central.createBucket(CentralConfig.DEFAULT_HISTORY);
 *     central.put("shared.features.express-checkout", "true");
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class CentralConfig implements AutoCloseable {
    /** The scope of keys every service reads. */
    public static final String SHARED = "shared";
    /** The bucket name the docs and the sample use. */
    public static final String DEFAULT_BUCKET = "flotilla-config";
    /** The revisions kept per key by {@link #createBucket(int)} in the docs and the testkit: 10. */
    public static final int DEFAULT_HISTORY = 10;

    private final Connection connection;
    private final String bucket;
    private final boolean ownsConnection;

    private CentralConfig(Connection connection, String bucket, boolean ownsConnection) {
        this.connection = connection;
        this.bucket = bucket;
        this.ownsConnection = ownsConnection;
    }

    /**
     * Connects to NATS for the named bucket (which need not exist yet: see {@link #createBucket(int)}).
     *
     * @param settings how to reach NATS
     * @param bucket   the bucket's name
     * @return a client; close it when done
     * @throws NullPointerException if an argument is {@code null}
     * @throws MessagingException   if NATS cannot be reached
     */
    public static CentralConfig connect(NatsSettings settings, String bucket) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(bucket, "bucket");
        try {
            return new CentralConfig(Nats.connect(settings.toOptions("central-config").build()), bucket, true);
        } catch (IOException e) {
            throw new MessagingException("Cannot connect to NATS at " + settings.servers() + " for the central "
                                                 + "configuration: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while connecting to NATS", e);
        }
    }

    /**
     * The bucket's name.
     *
     * @return the name
     */
    public String bucket() {
        return bucket;
    }

    /**
     * Creates the bucket with file storage if it does not exist; an existing bucket is left as it is.
     *
     * @param history revisions kept per key, 1 to 64
     * @return {@code true} when it was created now
     * @throws IllegalArgumentException if {@code history} is out of range
     * @throws MessagingException       if NATS refuses
     */
    public boolean createBucket(int history) {
        if (history < 1 || history > 64) {
            throw new IllegalArgumentException("history must be 1 to 64, was " + history);
        }
        return call(() -> {
            if (connection.keyValueManagement().getBucketNames().contains(bucket)) {
                return false;
            }
            connection.keyValueManagement().create(KeyValueConfiguration.builder()
                                                           .name(bucket)
                                                           .maxHistoryPerKey(history)
                                                           .build());
            return true;
        });
    }

    /**
     * Reads a key.
     *
     * @param key a bucket key, such as {@code shared.features.express-checkout}
     * @return the value; empty when the key is absent or deleted
     * @throws MessagingException if the bucket cannot be read
     */
    public Optional<String> get(String key) {
        Objects.requireNonNull(key, "key");
        return call(() -> {
            KeyValueEntry entry = kv().get(key);
            return entry == null || entry.getOperation() != KeyValueOperation.PUT
                    ? Optional.<String>empty() : Optional.of(entry.getValueAsString());
        });
    }

    /**
     * Writes a key; services watching the bucket apply it within a second.
     *
     * @param key   a bucket key: {@code shared.<key>} or {@code <service-name>.<key>}
     * @param value the value; refer to secrets with {@code ${env:NAME}} or {@code ${file:/path}}
     * @return the new revision
     * @throws NullPointerException if an argument is {@code null}
     * @throws MessagingException   if the bucket cannot be written
     */
    public long put(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return call(() -> kv().put(key, value));
    }

    /**
     * Deletes a key (its history stays); services fall back to the next source.
     *
     * @param key the bucket key
     * @throws MessagingException if the bucket cannot be written
     */
    public void delete(String key) {
        Objects.requireNonNull(key, "key");
        call(() -> {
            kv().delete(key);
            return null;
        });
    }

    /**
     * Every key and value of the bucket, or of one scope.
     *
     * @param scope {@link #SHARED}, a service's name, or {@code ""} for all
     * @return bucket keys and values, sorted
     * @throws MessagingException if the bucket cannot be read
     */
    public Map<String, String> list(String scope) {
        Objects.requireNonNull(scope, "scope");
        return call(() -> {
            Map<String, String> values = new TreeMap<>();
            KeyValue kv = kv();
            for (String key : kv.keys()) {
                if (scope.isEmpty() || key.startsWith(scope + ".")) {
                    KeyValueEntry entry = kv.get(key);
                    if (entry != null && entry.getOperation() == KeyValueOperation.PUT) {
                        values.put(key, entry.getValueAsString());
                    }
                }
            }
            return values;
        });
    }

    /**
     * What a service reads from the bucket: its shared keys overlaid with its own, as keys of its configuration.
     *
     * @param service the service's name
     * @return configuration keys and values, sorted
     * @throws MessagingException if the bucket cannot be read
     */
    public Map<String, String> effective(String service) {
        return KeyLayout.view(list(""), service);
    }

    /**
     * One revision of a key, oldest first in {@link #history(String)}.
     *
     * @param revision  the bucket-wide revision number
     * @param operation {@code PUT}, {@code DEL} or {@code PURGE}
     * @param value     the value written, empty for a delete
     * @param created   when it was written
     */
    public record Revision(long revision, String operation, Optional<String> value, ZonedDateTime created) {
    }

    /**
     * The revisions of a key the bucket keeps (its history setting), oldest first: the audit trail.
     *
     * @param key the bucket key
     * @return the revisions; empty when the key was never written
     * @throws MessagingException if the bucket cannot be read
     */
    public List<Revision> history(String key) {
        Objects.requireNonNull(key, "key");
        return call(() -> {
            List<Revision> revisions = new ArrayList<>();
            for (KeyValueEntry e : kv().history(key)) {
                revisions.add(new Revision(e.getRevision(), e.getOperation().name(),
                                           e.getOperation() == KeyValueOperation.PUT
                                                   ? Optional.of(e.getValueAsString()) : Optional.empty(),
                                           e.getCreated()));
            }
            return revisions;
        });
    }

    /**
     * Puts an earlier revision's value back as the newest one (the history keeps both): a rollback.
     *
     * @param key      the bucket key
     * @param revision a revision from {@link #history(String)}
     * @return the new revision
     * @throws IllegalArgumentException if the key has no such revision with a value
     * @throws MessagingException       if the bucket cannot be read or written
     */
    public long revert(String key, long revision) {
        Optional<String> value = history(key).stream()
                .filter(r -> r.revision() == revision)
                .findFirst()
                .flatMap(Revision::value);
        return put(key, value.orElseThrow(() -> new IllegalArgumentException(
                "Key " + key + " has no revision " + revision + " with a value; see its history")));
    }

    /**
     * Reads a YAML file laid out like the bucket (top-level {@code shared:} and one section per service) as bucket
     * keys.
     *
     * @param yaml the file
     * @return bucket keys and values, sorted
     * @throws IllegalArgumentException if the file cannot be read or is not YAML
     */
    public static Map<String, String> readYaml(Path yaml) {
        Objects.requireNonNull(yaml, "yaml");
        try {
            return parseYaml(java.nio.file.Files.readString(yaml));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + yaml + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses YAML text laid out like the bucket ({@link #readYaml(Path)}) as bucket keys.
     *
     * @param yaml the YAML text
     * @return bucket keys and values, sorted
     * @throws IllegalArgumentException if the text is not YAML
     */
    public static Map<String, String> parseYaml(String yaml) {
        Objects.requireNonNull(yaml, "yaml");
        try {
            Config config = Config.just(ConfigSources.create(yaml, io.helidon.common.media.type.MediaTypes.APPLICATION_X_YAML));
            return new TreeMap<>(config.asMap().orElse(Map.of()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Not valid central configuration YAML: " + e.getMessage(), e);
        }
    }

    /**
     * Writes every key of a YAML file laid out like the bucket ({@link #readYaml(Path)}) whose value differs.
     *
     * @param yaml the file
     * @return the keys written
     * @throws IllegalArgumentException if the file cannot be read
     * @throws MessagingException       if the bucket cannot be written
     */
    public List<String> load(Path yaml) {
        Map<String, String> values = readYaml(yaml);
        Map<String, String> now = list("");
        List<String> written = new ArrayList<>();
        values.forEach((key, value) -> {
            if (!value.equals(now.get(key))) {
                put(key, value);
                written.add(key);
            }
        });
        return written;
    }

    /** Stops using the bucket; closes the connection if this client opened it. */
    @Override
    public void close() {
        if (ownsConnection) {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private KeyValue kv() throws IOException {
        return connection.keyValue(bucket);
    }

    @FunctionalInterface
    private interface NatsCall<T> {
        T call() throws IOException, JetStreamApiException, InterruptedException;
    }

    private <T> T call(NatsCall<T> call) {
        try {
            return call.call();
        } catch (JetStreamApiException e) {
            throw new MessagingException("Central configuration bucket '" + bucket + "': " + e.getMessage()
                                                 + (e.getApiErrorCode() == 10059 ? " (create it with 'nats kv add "
                                                         + bucket + "' or the create-bucket command)" : ""), e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof MessagingException m) {
                throw m;
            }
            throw new MessagingException("Central configuration bucket '" + bucket + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while using bucket '" + bucket + "'", e);
        }
    }
}
