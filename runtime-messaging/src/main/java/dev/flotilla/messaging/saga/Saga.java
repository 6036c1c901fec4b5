package dev.flotilla.messaging.saga;

import java.util.List;
import java.util.Optional;

/**
 * A registered saga: starts instances, delivers replies, and answers queries. Thread-safe.
 *
 * @param <D> the data type
 */
public interface Saga<D> {

    /**
     * The saga's name.
     *
     * @return the definition's name
     */
    String name();

    /**
     * Starts an instance and drives it on the caller's thread until it waits for a reply, finishes, or a step needs
     * a retry (retries go on in the background, on any instance of the service). Starting an id that exists starts
     * nothing and returns the existing instance.
     *
     * @param id   the instance id, {@code [A-Za-z0-9_-]{1,64}}
     * @param data the initial data
     * @return the instance as it is when this returns
     * @throws IllegalArgumentException                         if the id is invalid
     * @throws dev.flotilla.messaging.MessagingException        if the state cannot be stored
     * @throws IllegalStateException                            if the engine is closed
     * @throws NullPointerException                             if an argument is {@code null}
     */
    SagaInstance<D> start(String id, D data);

    /**
     * Reads an instance.
     *
     * @param id the instance id
     * @return the instance; empty if unknown (or older than the retention)
     * @throws dev.flotilla.messaging.MessagingException if the state cannot be read
     * @throws NullPointerException                      if {@code id} is {@code null}
     */
    Optional<SagaInstance<D>> find(String id);

    /**
     * Lists this saga's instances within the retention.
     *
     * @return the instances, in no particular order
     * @throws dev.flotilla.messaging.MessagingException if the state cannot be read
     */
    List<SagaInstance<D>> list();

    /**
     * Delivers the reply a waiting step awaits, from any instance of the service; the saga then goes on in the
     * background.
     *
     * @param id    the instance id
     * @param step  the step the reply is for
     * @param reply the reply, of the step's reply type or convertible to it through JSON
     * @return {@code true} if the saga waited on that step and took the reply; {@code false} (and nothing changes)
     *         when it does not wait on it now: a late, repeated or unknown reply
     * @throws IllegalArgumentException                 if the reply cannot be converted to the step's reply type
     * @throws IllegalStateException                     if the engine is closed
     * @throws dev.flotilla.messaging.MessagingException if the state cannot be read or stored
     * @throws NullPointerException                      if an argument is {@code null}
     */
    boolean reply(String id, String step, Object reply);
}
