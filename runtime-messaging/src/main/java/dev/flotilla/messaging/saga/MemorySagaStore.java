package dev.flotilla.messaging.saga;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Saga state in memory, for the in-JVM transport: the key-value bucket's semantics, not its durability. The entries
 * live in a {@link Shared} object that every engine of the service on one in-JVM broker uses, as they would share the
 * bucket on NATS. Watchers are told under the lock, so in revision order; they must be quick.
 */
final class MemorySagaStore implements SagaStore {

    /** The entries of one service's sagas. */
    static final class Shared {
        private final Map<String, Entry> entries = new HashMap<>();
        private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
        private long revision;
        private boolean used;

        /** True the first time it is asked. */
        synchronized boolean firstUse() {
            boolean first = !used;
            used = true;
            return first;
        }
    }

    private final Shared shared;
    private final List<Consumer<Entry>> mine = new CopyOnWriteArrayList<>();

    MemorySagaStore(Shared shared) {
        this.shared = shared;
    }

    @Override
    public Optional<Entry> get(String key) {
        synchronized (shared) {
            return Optional.ofNullable(shared.entries.get(key));
        }
    }

    @Override
    public long create(String key, byte[] value) {
        synchronized (shared) {
            if (shared.entries.containsKey(key)) {
                return -1;
            }
            return put(key, value);
        }
    }

    @Override
    public long update(String key, byte[] value, long expected) {
        synchronized (shared) {
            Entry current = shared.entries.get(key);
            if (current == null || current.revision() != expected) {
                return -1;
            }
            return put(key, value);
        }
    }

    private long put(String key, byte[] value) {
        Entry e = new Entry(key, value.clone(), ++shared.revision);
        shared.entries.put(key, e);
        shared.listeners.forEach(l -> l.accept(e));
        return e.revision();
    }

    @Override
    public List<String> keys(String prefix) {
        synchronized (shared) {
            return shared.entries.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
        }
    }

    @Override
    public void watch(Consumer<Entry> listener) {
        synchronized (shared) {
            mine.add(listener);
            shared.listeners.add(listener);
            new ArrayList<>(shared.entries.values()).forEach(listener);
        }
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public void close() {
        shared.listeners.removeAll(mine);
        mine.clear();
    }
}
