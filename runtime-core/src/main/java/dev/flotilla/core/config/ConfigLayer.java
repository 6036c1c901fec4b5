package dev.flotilla.core.config;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One service's view of an extra configuration source that can change while the service runs. Its values rank
 * below system properties and environment variables and above the service's own YAML files (see
 * {@code docs/configuration.md}).
 *
 * <p>The runtime reads {@link #values()} once at start, then calls {@link #watch(Consumer)} once; it works out
 * which keys changed, checks them and applies or refuses each, so a layer only reports what its source holds.
 * Implementations must be thread-safe.
 */
public interface ConfigLayer extends AutoCloseable {

    /**
     * What this layer reads, for logs and health details, such as {@code nats kv 'flotilla-config'}.
     *
     * @return a short description; never {@code null}
     */
    String description();

    /**
     * The values the service sees now, as flat dotted keys of the service's configuration
     * ({@code resilience.inventory-service.retry.max-attempts}). Values may refer to secrets outside the layer
     * with {@code ${env:NAME}} or {@code ${file:/path}}; the runtime resolves them.
     *
     * @return the values; empty while the source cannot be reached
     */
    Map<String, String> values();

    /**
     * Starts reporting changes: {@code listener} gets every value the service sees (not only the changed ones)
     * whenever the source changes, and once at once with the current values. Called once, by one thread.
     *
     * @param listener receives the complete new values; it does not throw
     */
    void watch(Consumer<Map<String, String>> listener);

    /**
     * Earlier values of a key, newest first, for a service that refuses the key's current value at start: it starts
     * on the newest earlier value it accepts, the one instances that were running kept, instead of its own
     * configuration's value. A layer that keeps no history returns none (the default).
     *
     * @param key a key of {@link #values()}
     * @return earlier values, newest first; empty when there are none or they cannot be read now
     */
    default List<String> earlierValues(String key) {
        return List.of();
    }

    /**
     * The state of the layer for the service's health details, such as {@code state=watching}.
     *
     * @return detail names and values; never {@code null}
     */
    Map<String, String> status();

    /**
     * Stops watching and releases the connection. Never throws.
     */
    @Override
    void close();
}
