package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Optional;

/**
 * A live subscription or responder registration. Thread-safe.
 */
public interface Subscription extends AutoCloseable {

    /**
     * The subject (possibly with wildcards) this subscription listens on.
     *
     * @return the subject
     */
    String subject();

    /**
     * The queue group that shares this subscription's messages, or empty for a broadcast subscription.
     *
     * @return the queue group
     */
    Optional<String> queueGroup();

    /**
     * Stops taking new messages and waits until handlers in flight finish (and, on a durable subscription,
     * ack), at most {@code timeout}.
     *
     * @param timeout the longest time to wait
     * @return {@code true} when everything in flight finished in time
     * @throws NullPointerException if {@code timeout} is {@code null}
     */
    boolean drain(Duration timeout);

    /**
     * Stops the subscription at once; handlers already running finish on their own. Idempotent.
     */
    @Override
    void close();
}
