package dev.flotilla.messaging.config;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.flotilla.core.config.ConfigLayer;
import dev.flotilla.messaging.NatsSettings;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's view of the central bucket. A watch on the whole bucket gives the current values (up to its end of
 * data) and then every change. After a reconnect, or while the bucket could not be reached, a supervisor thread opens
 * a new connection or watch, which delivers the bucket's values again: the runtime works out what changed meanwhile.
 * Values already seen are kept while NATS is away. Thread-safe.
 */
final class NatsConfigLayer implements ConfigLayer {
    private static final Logger LOG = LoggerFactory.getLogger(NatsConfigLayer.class);

    record Settings(String service, String bucket, NatsSettings nats, boolean optional, Duration startTimeout,
                    Duration retryInterval) {
    }

    private final Settings settings;
    private final Semaphore wake = new Semaphore(0);
    private volatile Connection connection;
    private volatile Watch watch;
    private volatile boolean resync;
    private volatile boolean closed;
    private volatile String state = "connecting";
    private volatile String problem = "";
    private volatile Map<String, String> view = Map.of();
    private volatile Consumer<Map<String, String>> listener;
    private volatile long revision;
    private Thread supervisor;

    private NatsConfigLayer(Settings settings) {
        this.settings = settings;
    }

    static NatsConfigLayer open(Settings settings) {
        NatsConfigLayer layer = new NatsConfigLayer(settings);
        if (!layer.load(settings.startTimeout())) {
            String message = "the central configuration bucket '" + settings.bucket() + "' at "
                    + settings.nats().servers() + " cannot be reached: " + layer.problem;
            if (!settings.optional()) {
                layer.close();
                throw new IllegalStateException(message + ". Start nats-server and create the bucket ('nats kv add "
                        + settings.bucket() + "'), or set config.central.optional=true to start from the local "
                        + "configuration");
            }
            layer.state = "local only";
            LOG.warn("Service '{}' starts from its local configuration only: {}; central values apply when it can "
                             + "be reached", settings.service(), message);
        }
        layer.supervisor = Thread.ofVirtual().name("central-config-" + settings.service()).start(layer::supervise);
        return layer;
    }

    @Override
    public String description() {
        return "nats kv '" + settings.bucket() + "'";
    }

    @Override
    public Map<String, String> values() {
        return view;
    }

    @Override
    public void watch(Consumer<Map<String, String>> listener) {
        this.listener = listener;
        listener.accept(view);
    }

    /**
     * The earlier values of the bucket key the service reads {@code key} from (its own {@code <service>.<key>} when
     * that holds a value, else {@code shared.<key>}), newest first, as far as the bucket's history goes.
     */
    @Override
    public List<String> earlierValues(String key) {
        Connection c = connection;
        if (c == null) {
            return List.of();
        }
        try {
            KeyValue kv = c.keyValue(settings.bucket());
            for (String bucketKey : List.of(settings.service() + "." + key, CentralConfig.SHARED + "." + key)) {
                List<KeyValueEntry> history = kv.history(bucketKey);
                if (history.isEmpty() || history.get(history.size() - 1).getOperation() != KeyValueOperation.PUT) {
                    continue; // not where the value comes from
                }
                List<String> earlier = new ArrayList<>();
                for (int i = history.size() - 2; i >= 0; i--) {
                    if (history.get(i).getOperation() == KeyValueOperation.PUT) {
                        earlier.add(history.get(i).getValueAsString());
                    }
                }
                return earlier;
            }
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.debug("Service '{}': the history of central key {} cannot be read: {}", settings.service(), key,
                      e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }

    @Override
    public Map<String, String> status() {
        Map<String, String> status = new LinkedHashMap<>();
        status.put("state", state);
        if (!problem.isEmpty() && !state.equals("watching")) {
            status.put("problem", problem);
        }
        status.put("revision", Long.toString(revision));
        return status;
    }

    /** Connects if needed and opens a new watch; waits for the bucket's values. */
    private boolean load(Duration timeout) {
        try {
            Connection c = connection;
            if (c == null) {
                c = Nats.connect(settings.nats().toOptions("central-config:" + settings.service())
                                         .connectionListener(this::connectionEvent)
                                         .build());
                connection = c;
            }
            KeyValue kv = c.keyValue(settings.bucket());
            if (!c.keyValueManagement().getBucketNames().contains(settings.bucket())) {
                problem = "the bucket does not exist";
                return false;
            }
            Watch next = new Watch();
            Watch previous = watch;
            watch = next;
            resync = false;
            if (previous != null) {
                previous.stop();
            }
            next.subscription = kv.watchAll(next);
            if (!next.ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                problem = "no answer within " + timeout;
                return false;
            }
            state = "watching";
            problem = "";
            return true;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
            return false;
        }
    }

    private void connectionEvent(Connection c, ConnectionListener.Events event) {
        switch (event) {
            case DISCONNECTED -> {
                state = "disconnected";
                LOG.warn("Service '{}': central configuration disconnected; the values in force are kept",
                         settings.service());
            }
            case RECONNECTED, RESUBSCRIBED -> {
                resync = true;
                wake.release();
            }
            default -> {
            }
        }
    }

    /** Retries what is missing: a connection, the bucket, or a fresh watch after a reconnect. */
    private void supervise() {
        while (!closed) {
            try {
                wake.tryAcquire(settings.retryInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            Connection c = connection;
            boolean connected = c != null && c.getStatus() == Connection.Status.CONNECTED;
            if (c != null && !connected) {
                continue; // jnats is reconnecting
            }
            if (c == null || resync || watch == null || !"watching".equals(state)) {
                boolean wasWatching = "watching".equals(state);
                if (load(settings.startTimeout()) && !wasWatching) {
                    LOG.info("Service '{}': central configuration from bucket '{}' is watched", settings.service(),
                             settings.bucket());
                }
            }
        }
    }

    /** Publishes a new view when it differs from the last one. */
    private void publish(Map<String, String> bucketValues, long lastRevision) {
        revision = Math.max(revision, lastRevision);
        Map<String, String> next = KeyLayout.view(bucketValues, settings.service());
        if (next.equals(view)) {
            return;
        }
        view = Map.copyOf(next);
        Consumer<Map<String, String>> l = listener;
        if (l != null) {
            l.accept(view);
        }
    }

    @Override
    public void close() {
        closed = true;
        wake.release();
        Watch w = watch;
        if (w != null) {
            w.stop();
        }
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (supervisor != null) {
            supervisor.interrupt();
        }
    }

    /** One watch of the whole bucket; entries of a watch that was replaced are ignored. */
    private final class Watch implements KeyValueWatcher {
        private final Map<String, String> values = new HashMap<>();
        private final CountDownLatch ready = new CountDownLatch(1);
        private volatile NatsKeyValueWatchSubscription subscription;
        private long lastRevision;

        @Override
        public void watch(KeyValueEntry entry) {
            synchronized (NatsConfigLayer.this) {
                if (watch != this) {
                    return;
                }
                if (entry.getOperation() == KeyValueOperation.PUT) {
                    values.put(entry.getKey(), entry.getValueAsString());
                } else {
                    values.remove(entry.getKey());
                }
                lastRevision = entry.getRevision();
                if (ready.getCount() == 0) {
                    publish(values, lastRevision);
                }
            }
        }

        @Override
        public void endOfData() {
            synchronized (NatsConfigLayer.this) {
                if (watch != this) {
                    return;
                }
                publish(values, lastRevision);
                ready.countDown();
            }
        }

        void stop() {
            NatsKeyValueWatchSubscription s = subscription;
            if (s != null) {
                try {
                    s.unsubscribe();
                } catch (RuntimeException e) {
                    LOG.debug("Closing a central configuration watch: {}", e.toString());
                }
            }
        }
    }
}
