package dev.flotilla.messaging.saga;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Where saga state lives: a JetStream key-value bucket, or memory on the in-JVM transport. */
interface SagaStore extends AutoCloseable {

    /** A stored value and its revision; {@code value} is {@code null} for a deleted key. */
    record Entry(String key, byte[] value, long revision) {
    }

    /** Reads a key; throws MessagingException when it cannot. */
    Optional<Entry> get(String key);

    /** Creates a key; the new revision, or -1 when the key exists. */
    long create(String key, byte[] value);

    /** Updates a key if it is at {@code revision}; the new revision, or -1 when it is not (or gone). */
    long update(String key, byte[] value, long revision);

    /** The keys starting with {@code prefix}. */
    List<String> keys(String prefix);

    /** Calls {@code listener} with every current entry and then with every change, until closed. */
    void watch(Consumer<Entry> listener);

    /** Whether state written is kept across restarts. */
    boolean durable();

    @Override
    void close();
}
