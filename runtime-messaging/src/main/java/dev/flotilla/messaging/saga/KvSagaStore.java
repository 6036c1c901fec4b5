package dev.flotilla.messaging.saga;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.flotilla.messaging.MessagingException;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saga state in a JetStream key-value bucket (file storage, one value per key, max age = retention). Compare-and-set
 * is the bucket's {@code update(key, value, revision)}; the watch is jnats' ordered consumer on the whole bucket.
 */
final class KvSagaStore implements SagaStore {
    private static final Logger LOG = LoggerFactory.getLogger(KvSagaStore.class);
    /** JetStream's "wrong last sequence": the key is not at the expected revision. */
    private static final int WRONG_LAST_SEQUENCE = 10071;
    /** JetStream's "stream name already in use" with another configuration. */
    private static final int STREAM_EXISTS = 10058;

    private final String bucket;
    private final KeyValue kv;
    private volatile NatsKeyValueWatchSubscription watch;

    private KvSagaStore(String bucket, KeyValue kv) {
        this.bucket = bucket;
        this.kv = kv;
    }

    static KvSagaStore open(Connection connection, String bucket, Duration retention, int replicas) {
        try {
            try {
                connection.keyValueManagement().create(KeyValueConfiguration.builder().name(bucket)
                        .description("Flotilla saga state").maxHistoryPerKey(1).ttl(retention).replicas(replicas)
                        .storageType(StorageType.File).build());
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_EXISTS) {
                    throw e;
                }
                LOG.debug("Saga bucket '{}' exists with other settings; using it as it is", bucket);
            }
            return new KvSagaStore(bucket, connection.keyValue(bucket));
        } catch (IOException | JetStreamApiException e) {
            throw new MessagingException("Saga bucket '" + bucket + "' cannot be opened: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Entry> get(String key) {
        try {
            KeyValueEntry e = kv.get(key);
            return e == null || e.getOperation() != KeyValueOperation.PUT ? Optional.empty()
                    : Optional.of(new Entry(key, e.getValue(), e.getRevision()));
        } catch (IOException | JetStreamApiException e) {
            throw failed("read", key, e);
        }
    }

    @Override
    public long create(String key, byte[] value) {
        try {
            return kv.create(key, value);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
                return -1;
            }
            throw failed("create", key, e);
        } catch (IOException e) {
            throw failed("create", key, e);
        }
    }

    @Override
    public long update(String key, byte[] value, long revision) {
        try {
            return kv.update(key, value, revision);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
                return -1;
            }
            throw failed("update", key, e);
        } catch (IOException e) {
            throw failed("update", key, e);
        }
    }

    @Override
    public List<String> keys(String prefix) {
        try {
            return kv.keys(prefix + ">");
        } catch (IOException | JetStreamApiException e) {
            throw failed("list", prefix + ">", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("list", prefix + ">", e);
        }
    }

    @Override
    public void watch(Consumer<Entry> listener) {
        try {
            watch = kv.watchAll(new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry e) {
                    listener.accept(new Entry(e.getKey(), e.getOperation() == KeyValueOperation.PUT
                            ? e.getValue() : null, e.getRevision()));
                }

                @Override
                public void endOfData() {
                }
            });
        } catch (IOException | JetStreamApiException e) {
            throw failed("watch", ">", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("watch", ">", e);
        }
    }

    private MessagingException failed(String what, String key, Exception e) {
        return new MessagingException("Saga state '" + key + "' in bucket '" + bucket + "': cannot " + what + ": "
                + e.getMessage(), e);
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void close() {
        NatsKeyValueWatchSubscription w = watch;
        if (w != null) {
            try {
                w.unsubscribe();
            } catch (RuntimeException e) {
                LOG.debug("Saga bucket '{}': the watch did not stop cleanly: {}", bucket, e.toString());
            }
        }
    }
}
