package dev.flotilla.messaging.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.flotilla.core.config.internal.ConfigChecks;

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
 * <p>Who made each change is kept beside the bucket, in the companion bucket {@code <bucket>-authors} (a NATS
 * key-value write carries no headers): key {@code <bucket key>.<revision>}, value the author. {@link #history(String)}
 * shows it. Writes are not checked here: {@link #check(Map)} tells which values the services would refuse, and the
 * command ({@link CentralConfigCommand}) refuses to write them.
 *
 * <pre>{@code
 * try (CentralConfig central = CentralConfig.connect(NatsSettings.builder().server(url).build(), "flotilla-config")) {
 *     central.createBucket(CentralConfig.DEFAULT_HISTORY);
 *     if (central.check(Map.of("shared.features.express-checkout", "true")).isEmpty()) {
 *         central.put("shared.features.express-checkout", "true", "alice");
 *     }
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
    /** The suffix of the companion bucket that keeps each change's author: {@value}. */
    public static final String AUTHORS_SUFFIX = "-authors";
    /** The author recorded when none is known: {@value}. */
    public static final String UNKNOWN_AUTHOR = "unknown";
    /** The JetStream error of a compare-and-set write whose expected revision is not the key's last one. */
    private static final int WRONG_LAST_SEQUENCE = 10071;
    private static final int MAX_AUTHOR_LENGTH = 100;

    private final Connection connection;
    private final String bucket;
    private final boolean ownsConnection;
    /** Whether the authors' bucket is known to exist: looked up once per client. */
    private volatile boolean authorsBucketSeen;

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
     * The companion bucket that keeps each change's author: {@code <bucket>-authors}.
     *
     * @return its name
     */
    public String authorsBucket() {
        return bucket + AUTHORS_SUFFIX;
    }

    /**
     * Creates the bucket with file storage if it does not exist, and its authors' bucket ({@link #authorsBucket()});
     * an existing bucket is left as it is.
     *
     * @param history revisions kept per key, 1 to 64
     * @return {@code true} when the configuration bucket was created now
     * @throws IllegalArgumentException if {@code history} is out of range
     * @throws MessagingException       if NATS refuses
     */
    public boolean createBucket(int history) {
        if (history < 1 || history > 64) {
            throw new IllegalArgumentException("history must be 1 to 64, was " + history);
        }
        return call(() -> {
            ensureAuthorsBucket();
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
     * The author of the changes made by this process when none is given: {@code FLOTILLA_AUTHOR}, else {@code USER},
     * else {@value #UNKNOWN_AUTHOR}.
     *
     * @param environment environment variables, such as {@link System#getenv()}
     * @return the author
     * @throws NullPointerException if {@code environment} is {@code null}
     */
    public static String author(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        for (String name : List.of("FLOTILLA_AUTHOR", "USER")) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return cleanAuthor(value);
            }
        }
        return UNKNOWN_AUTHOR;
    }

    /** One line, printable, at most 100 characters; blank is {@value #UNKNOWN_AUTHOR}. */
    private static String cleanAuthor(String author) {
        StringBuilder clean = new StringBuilder();
        author.strip().codePoints().limit(MAX_AUTHOR_LENGTH)
                .forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return clean.isEmpty() ? UNKNOWN_AUTHOR : clean.toString();
    }

    /**
     * Which of these changes the services would refuse: the checks every service makes ({@code features.*} true or
     * false, {@code log.level.*} levels, the {@code resilience} section binding) on the view each service has of the
     * bucket with the changes made (a {@code shared.*} key is checked for every service scope in the bucket, and for
     * a service with no keys of its own). A key not laid out as {@code shared.<key>} or {@code <service>.<key>} is
     * refused too. Values that refer to secrets ({@code ${env:...}}, {@code ${file:...}}) are resolved by the
     * services only and not judged here; nor are checks a service makes of its own keys.
     *
     * @param changes bucket keys and the values they would get
     * @return refused bucket keys and the reasons, sorted; empty when the services would accept every value
     * @throws NullPointerException if {@code changes} is {@code null}
     * @throws MessagingException   if the bucket cannot be read
     */
    public Map<String, String> check(Map<String, String> changes) {
        Objects.requireNonNull(changes, "changes");
        return check(list(""), changes);
    }

    /** {@link #check(Map)} against the given bucket values. */
    static Map<String, String> check(Map<String, String> bucketValues, Map<String, String> changes) {
        Map<String, String> refused = new TreeMap<>();
        Map<String, String> after = new TreeMap<>(bucketValues);
        after.putAll(changes);
        after.values().removeIf(v -> v.contains("${")); // resolved by each service, in its own environment
        Set<String> services = new TreeSet<>();
        boolean shared = false;
        for (String key : changes.keySet()) {
            int dot = key.indexOf('.');
            if (dot < 1 || dot == key.length() - 1) {
                refused.put(key, "not a central configuration key: " + SHARED + ".<key> or <service-name>.<key>");
            } else if (key.substring(0, dot).equals(SHARED)) {
                shared = true;
            } else {
                services.add(key.substring(0, dot));
            }
        }
        if (shared) {
            after.keySet().forEach(k -> services.add(k.substring(0, Math.max(k.indexOf('.'), 0))));
            services.remove(SHARED);
            services.add(""); // a service with no keys of its own sees the shared ones only
        }
        for (String service : services) {
            Map<String, String> view = KeyLayout.view(after, service);
            Map<String, String> refusals = ConfigChecks.refusals(view);
            changes.forEach((key, value) -> {
                if (refused.containsKey(key)) {
                    return;
                }
                String scope = key.substring(0, Math.max(key.indexOf('.'), 0));
                String configKey = key.substring(scope.length() + 1);
                boolean applies = scope.equals(SHARED) || scope.equals(service);
                // A shared value that the service's own key shadows is not what the service would read.
                if (applies && refusals.containsKey(configKey) && value.equals(view.get(configKey))) {
                    refused.put(key, refusals.get(configKey)
                            + (service.isEmpty() || !scope.equals(SHARED) ? "" : " (as " + service + " reads it)"));
                }
            });
        }
        return refused;
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
     * Writes a key as this process's author ({@link #author(Map)} of the environment); see
     * {@link #put(String, String, String)}.
     *
     * @param key   a bucket key: {@code shared.<key>} or {@code <service-name>.<key>}
     * @param value the value; refer to secrets with {@code ${env:NAME}} or {@code ${file:/path}}
     * @return the new revision
     * @throws NullPointerException if an argument is {@code null}
     * @throws MessagingException   if the bucket cannot be written, or the author cannot be recorded
     */
    public long put(String key, String value) {
        return put(key, value, author(System.getenv()));
    }

    /**
     * Writes a key and records its author; services watching the bucket apply it within a second. The value is not
     * checked: see {@link #check(Map)}.
     *
     * @param key    a bucket key: {@code shared.<key>} or {@code <service-name>.<key>}
     * @param value  the value; refer to secrets with {@code ${env:NAME}} or {@code ${file:/path}}
     * @param author who makes the change (one line, at most 100 characters are kept)
     * @return the new revision
     * @throws NullPointerException if an argument is {@code null}
     * @throws MessagingException   if the bucket cannot be written, or the author cannot be recorded (the message
     *                              says whether the value was written)
     */
    public long put(String key, String value, String author) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(author, "author");
        call(() -> {
            ensureAuthorsBucket(); // before the write: a missing permission shows before anything changes
            return null;
        });
        long revision = call(() -> kv().put(key, value));
        recordAuthor(key, revision, author);
        return revision;
    }

    /**
     * Deletes a key as this process's author ({@link #author(Map)} of the environment); see
     * {@link #delete(String, String)}.
     *
     * @param key the bucket key
     * @throws MessagingException if the bucket cannot be written
     */
    public void delete(String key) {
        delete(key, author(System.getenv()));
    }

    /**
     * Deletes a key (its history stays) and records the author; services fall back to the next source.
     *
     * @param key    the bucket key
     * @param author who makes the change
     * @throws NullPointerException if an argument is {@code null}
     * @throws MessagingException   if the bucket cannot be written, or the author cannot be recorded
     */
    public void delete(String key, String author) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(author, "author");
        long revision = call(() -> {
            ensureAuthorsBucket();
            KeyValue kv = kv();
            kv.delete(key);
            // A delete returns no revision: the key's newest delete marker is the one just written.
            List<KeyValueEntry> entries = kv.history(key);
            for (int i = entries.size() - 1; i >= 0; i--) {
                if (entries.get(i).getOperation() == KeyValueOperation.DELETE) {
                    return entries.get(i).getRevision();
                }
            }
            return -1L;
        });
        if (revision > 0) {
            recordAuthor(key, revision, author);
        }
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
     * @param operation {@code PUT}, {@code DELETE} or {@code PURGE}
     * @param value     the value written, empty for a delete
     * @param created   when it was written
     * @param author    who made the change; empty when it was not recorded (written by another NATS client)
     */
    public record Revision(long revision, String operation, Optional<String> value, ZonedDateTime created,
                           Optional<String> author) {
    }

    /**
     * The revisions of a key the bucket keeps (its history setting), oldest first, with their authors: the audit
     * trail.
     *
     * @param key the bucket key
     * @return the revisions; empty when the key was never written
     * @throws MessagingException if the bucket cannot be read
     */
    public List<Revision> history(String key) {
        Objects.requireNonNull(key, "key");
        return call(() -> {
            KeyValue authors = connection.keyValueManagement().getBucketNames().contains(authorsBucket())
                    ? connection.keyValue(authorsBucket()) : null;
            List<Revision> revisions = new ArrayList<>();
            for (KeyValueEntry e : kv().history(key)) {
                KeyValueEntry author = authors == null ? null : authors.get(key + "." + e.getRevision());
                revisions.add(new Revision(e.getRevision(), e.getOperation().name(),
                                           e.getOperation() == KeyValueOperation.PUT
                                                   ? Optional.of(e.getValueAsString()) : Optional.empty(),
                                           e.getCreated(),
                                           author == null || author.getOperation() != KeyValueOperation.PUT
                                                   ? Optional.empty() : Optional.of(author.getValueAsString())));
            }
            return revisions;
        });
    }

    /**
     * Puts an earlier revision's value back as the newest one, as this process's author ({@link #author(Map)} of
     * the environment); see {@link #revert(String, long, String)}.
     *
     * @param key      the bucket key
     * @param revision a revision from {@link #history(String)}
     * @return the new revision
     * @throws IllegalArgumentException if the key has no such revision with a value
     * @throws IllegalStateException    if the key changed while the revert was made
     * @throws MessagingException       if the bucket cannot be read or written
     */
    public long revert(String key, long revision) {
        return revert(key, revision, author(System.getenv()));
    }

    /**
     * Puts an earlier revision's value back as the newest one (the history keeps both): a rollback. The write is a
     * compare-and-set against the key's newest revision when the history was read, so a change made meanwhile is
     * never overwritten.
     *
     * @param key      the bucket key
     * @param revision a revision from {@link #history(String)}
     * @param author   who makes the change
     * @return the new revision
     * @throws IllegalArgumentException if the key has no such revision with a value
     * @throws IllegalStateException    if the key changed after its history was read (nothing is written)
     * @throws MessagingException       if the bucket cannot be read or written
     */
    public long revert(String key, long revision, String author) {
        List<Revision> history = history(key);
        return revert(key, revision, history.isEmpty() ? 0 : history.get(history.size() - 1).revision(), author);
    }

    /**
     * Puts an earlier revision's value back as the newest one, only if the key's newest revision is still
     * {@code expectedRevision} (a compare-and-set): for an operator who looked at the history and decided on it.
     *
     * @param key              the bucket key
     * @param revision         a revision from {@link #history(String)}
     * @param expectedRevision the key's newest revision the caller knows of
     * @param author           who makes the change
     * @return the new revision
     * @throws IllegalArgumentException if the key has no such revision with a value
     * @throws IllegalStateException    if the key's newest revision is not {@code expectedRevision} (nothing is
     *                                  written; the message gives the newest one)
     * @throws MessagingException       if the bucket cannot be read or written
     */
    public long revert(String key, long revision, long expectedRevision, String author) {
        Objects.requireNonNull(author, "author");
        String value = valueAt(key, revision).orElseThrow(() -> new IllegalArgumentException(
                "Key " + key + " has no revision " + revision + " with a value; see its history"));
        call(() -> {
            ensureAuthorsBucket();
            return null;
        });
        long written;
        try {
            written = kv().update(key, value, expectedRevision);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
                List<Revision> now = history(key);
                throw new IllegalStateException("Key " + key + " changed meanwhile: its newest revision is "
                        + (now.isEmpty() ? "gone" : now.get(now.size() - 1).revision()) + ", not " + expectedRevision
                        + "; nothing was written. Look at its history and revert again");
            }
            throw new MessagingException("Central configuration bucket '" + bucket + "': " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MessagingException("Central configuration bucket '" + bucket + "': " + e.getMessage(), e);
        }
        recordAuthor(key, written, author);
        return written;
    }

    /**
     * The value a key had at one revision, while the bucket keeps it.
     *
     * @param key      the bucket key
     * @param revision a revision from {@link #history(String)}
     * @return the value; empty when the revision is not in the key's history or was a delete
     * @throws MessagingException if the bucket cannot be read
     */
    public Optional<String> valueAt(String key, long revision) {
        Objects.requireNonNull(key, "key");
        return call(() -> {
            for (KeyValueEntry e : kv().history(key)) {
                if (e.getRevision() == revision && e.getOperation() == KeyValueOperation.PUT) {
                    return Optional.of(e.getValueAsString());
                }
            }
            return Optional.<String>empty();
        });
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
     * Writes every key of a YAML file laid out like the bucket ({@link #readYaml(Path)}) whose value differs, as this
     * process's author ({@link #author(Map)} of the environment).
     *
     * @param yaml the file
     * @return the keys written
     * @throws IllegalArgumentException if the file cannot be read
     * @throws MessagingException       if the bucket cannot be written
     */
    public List<String> load(Path yaml) {
        return load(readYaml(yaml), author(System.getenv()));
    }

    /**
     * The keys of {@code values} whose value differs from the bucket's: what {@link #load(Map, String)} writes.
     *
     * @param values bucket keys and values, such as {@link #readYaml(Path)} gives
     * @return the changed keys and their new values, sorted
     * @throws NullPointerException if {@code values} is {@code null}
     * @throws MessagingException   if the bucket cannot be read
     */
    public Map<String, String> changes(Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        Map<String, String> now = list("");
        Map<String, String> changed = new TreeMap<>();
        values.forEach((key, value) -> {
            if (!value.equals(now.get(key))) {
                changed.put(key, value);
            }
        });
        return changed;
    }

    /**
     * Writes every key of {@code values} whose value differs from the bucket's, recording the author of each. The
     * values are not checked: see {@link #check(Map)}.
     *
     * @param values bucket keys and values, such as {@link #readYaml(Path)} gives
     * @param author who makes the changes
     * @return the keys written
     * @throws NullPointerException if an argument is {@code null}
     * @throws MessagingException   if the bucket cannot be written
     */
    public List<String> load(Map<String, String> values, String author) {
        Objects.requireNonNull(author, "author");
        List<String> written = new ArrayList<>();
        changes(values).forEach((key, value) -> {
            put(key, value, author);
            written.add(key);
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

    /** Creates the authors' bucket (one value per change, file storage) unless it exists. */
    private void ensureAuthorsBucket() throws IOException, JetStreamApiException {
        if (authorsBucketSeen) {
            return;
        }
        if (!connection.keyValueManagement().getBucketNames().contains(authorsBucket())) {
            connection.keyValueManagement().create(KeyValueConfiguration.builder()
                                                           .name(authorsBucket())
                                                           .description("Authors of the changes to " + bucket)
                                                           .maxHistoryPerKey(1)
                                                           .build());
        }
        authorsBucketSeen = true;
    }

    private void recordAuthor(String key, long revision, String author) {
        try {
            connection.keyValue(authorsBucket()).put(key + "." + revision, cleanAuthor(author));
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            throw new MessagingException("Key " + key + " was written as revision " + revision + " but its author "
                    + "could not be recorded in bucket '" + authorsBucket() + "': " + e.getMessage(), e);
        }
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
