package dev.flotilla.messaging.saga;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.json.JsonMapping;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.internal.TransportAccess;
import io.helidon.metrics.api.MeterRegistry;
import io.nats.client.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link Sagas}: the store, the index of unfinished sagas fed by the store's watch, the sweep timer
 * that takes over due sagas by compare-and-set, lease renewal of the sagas this engine drives, and the registered
 * sagas.
 */
final class SagaEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SagaEngine.class);
    /** How long {@link #close()} lets running steps finish before interrupting them. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    record Settings(Messaging messaging, Clock clock, Duration lease, Duration sweepInterval, Duration retention,
                    int replicas, Duration retryMinDelay, Duration retryMaxDelay, Tracing tracing,
                    MeterRegistry metrics) {
    }

    final Settings settings;
    final String service;
    final String instanceId;
    final SagaStore store;
    final ObjectMapper mapper = JsonMapping.newMapper();
    final SagaMetrics metrics;
    final SagaIndex index = new SagaIndex(mapper);
    private final Map<String, DefaultSaga<?>> sagas = new ConcurrentHashMap<>();
    /** Keys this engine drives or is taking over now, with the thread doing it. */
    private final Map<String, Thread> driving = new ConcurrentHashMap<>();
    /** Work for a saga that this engine was driving when the work came; run when the driving thread lets go. */
    private final Map<String, Runnable> queued = new ConcurrentHashMap<>();
    private final Map<String, SagaDriver.Owned> owned = new ConcurrentHashMap<>();
    private final java.util.List<Runnable> closeActions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private Thread sweeper;

    private SagaEngine(Settings settings, SagaStore store) {
        this.settings = settings;
        this.service = settings.messaging().serviceName();
        this.instanceId = service + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.store = store;
        this.metrics = new SagaMetrics(settings.metrics(), service);
    }

    static SagaEngine start(Settings settings) {
        TransportAccess access = settings.messaging() instanceof TransportAccess a ? a : null;
        Optional<Connection> connection = access == null ? Optional.empty() : access.natsConnection();
        String bucket = "sagas-" + settings.messaging().serviceName();
        SagaStore store;
        if (connection.isPresent()) {
            // in the service's NATS usage before the first use, so its least-privilege permissions grant the bucket
            access.usesBucket(bucket);
            store = KvSagaStore.open(connection.get(), bucket, settings.retention(), settings.replicas());
        } else {
            // shared by the service's instances on one in-JVM broker, as the bucket is on NATS
            MemorySagaStore.Shared shared = access == null ? new MemorySagaStore.Shared()
                    : access.inJvmShared(bucket, MemorySagaStore.Shared.class, MemorySagaStore.Shared::new)
                    .orElseGet(MemorySagaStore.Shared::new);
            if (shared.firstUse()) {
                LOG.warn("Service '{}': saga state is kept in memory on the {} transport; it does not survive the "
                         + "JVM", settings.messaging().serviceName(), settings.messaging().transport());
            }
            store = new MemorySagaStore(shared);
        }
        SagaEngine engine = new SagaEngine(settings, store);
        try {
            store.watch(engine.index::watched);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        engine.sweeper = Thread.ofVirtual().name("sagas-" + engine.instanceId).start(engine::sweepLoop);
        return engine;
    }

    <D> Saga<D> register(SagaDefinition<D> definition) {
        checkOpen();
        DefaultSaga<D> saga = new DefaultSaga<>(this, definition);
        if (sagas.putIfAbsent(definition.name(), saga) != null) {
            throw new IllegalStateException("A saga named '" + definition.name() + "' is registered already");
        }
        return saga;
    }

    Optional<Saga<?>> saga(String name) {
        return Optional.ofNullable(sagas.get(name));
    }

    void onClose(Runnable action) {
        closeActions.add(action);
    }

    String instanceId() {
        return instanceId;
    }

    Instant now() {
        return settings.clock().instant();
    }

    boolean closed() {
        return closed;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The saga engine of service '" + service + "' is closed");
        }
    }

    /** Claims a key for driving on this thread; false when this engine drives it already. */
    boolean claim(String key) {
        return driving.putIfAbsent(key, Thread.currentThread()) == null;
    }

    void release(String key) {
        driving.remove(key);
        owned.remove(key);
        Runnable next = queued.remove(key);
        if (next != null) {
            driveLater(key, next);
        }
    }

    void owning(SagaDriver.Owned o) {
        owned.put(o.key, o);
    }

    /**
     * Drives on a new virtual thread (a reply, a takeover). When this instance is driving the saga already (a reply
     * that came while the starting thread still sends the command), the work is queued and runs as soon as that
     * thread lets go, rather than waiting for the lease to expire.
     */
    void driveLater(String key, Runnable work) {
        Thread.ofVirtual().name("saga-" + key).start(() -> {
            if (!claim(key)) {
                queued.put(key, work);
                if (!claim(key)) {
                    return; // the thread driving it runs the work when it lets go
                }
                if (!queued.remove(key, work)) {
                    release(key); // that thread let go already and took the work with it
                    return;
                }
            }
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("Saga {}: driving stopped: {}", key, e.toString());
            } finally {
                release(key);
            }
        });
    }

    private void sweepLoop() {
        long lastRenewal = System.nanoTime();
        long renewEvery = settings.lease().toNanos() / 3;
        while (!closed) {
            LockSupport.parkNanos(settings.sweepInterval().toNanos());
            if (closed) {
                return;
            }
            try {
                if (System.nanoTime() - lastRenewal >= renewEvery) {
                    lastRenewal = System.nanoTime();
                    owned.values().forEach(SagaDriver.Owned::renew);
                }
                sweep();
            } catch (RuntimeException e) {
                LOG.debug("Service '{}': saga sweep failed, retrying: {}", service, e.toString());
            }
        }
    }

    /** Takes over, by compare-and-set, what is due: expired leases, retries, wait deadlines, saga deadlines. */
    void sweep() {
        Instant now = now();
        for (String key : index.due(now)) {
            if (driving.containsKey(key)) {
                continue;
            }
            int dot = key.indexOf('.');
            DefaultSaga<?> saga = dot < 0 ? null : sagas.get(key.substring(0, dot));
            if (saga != null) {
                driveLater(key, () -> saga.takeOver(key));
            }
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sweeper != null) {
            LockSupport.unpark(sweeper);
        }
        // steps may finish and store their outcome, unless the connection is gone (a kill): then there is no point
        long deadline = System.nanoTime() + (settings.messaging().isConnected() ? CLOSE_GRACE.toNanos() : 0);
        while (!driving.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        Set.copyOf(driving.values()).forEach(Thread::interrupt);
        store.close();
        metrics.close();
        closeActions.forEach(Runnable::run);
    }
}
