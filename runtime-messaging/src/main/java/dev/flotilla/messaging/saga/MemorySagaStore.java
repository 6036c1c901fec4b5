package dev.flotilla.messaging.saga;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Saga state in memory, for the in-JVM transport: the key-value bucket's semantics, not its durability. Watchers are
 * told under the lock, so in revision order; they must be quick.
 */
final class MemorySagaStore implements SagaStore {
    private final Map<String, Entry> entries = new HashMap<>();
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
    private long revision;

    @Override
    public synchronized Optional<Entry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public synchronized long create(String key, byte[] value) {
        if (entries.containsKey(key)) {
            return -1;
        }
        Entry e = new Entry(key, value.clone(), ++revision);
        entries.put(key, e);
        notify(e);
        return e.revision();
    }

    @Override
    public synchronized long update(String key, byte[] value, long expected) {
        Entry current = entries.get(key);
        if (current == null || current.revision() != expected) {
            return -1;
        }
        Entry e = new Entry(key, value.clone(), ++revision);
        entries.put(key, e);
        notify(e);
        return e.revision();
    }

    @Override
    public synchronized List<String> keys(String prefix) {
        return entries.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    @Override
    public synchronized void watch(Consumer<Entry> listener) {
        listeners.add(listener);
        new ArrayList<>(entries.values()).forEach(listener);
    }

    private void notify(Entry e) {
        listeners.forEach(l -> l.accept(e));
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
