package dev.flotilla.messaging.saga;

import java.util.Optional;

/**
 * What a step's action, send, reply handler or compensation knows about the saga it runs in.
 *
 * @param <D> the saga's data type
 */
public interface StepContext<D> {

    /**
     * The saga's name.
     *
     * @return the definition's name
     */
    String sagaName();

    /**
     * The saga instance's id.
     *
     * @return the id given to {@link Saga#start}
     */
    String sagaId();

    /**
     * The step's name.
     *
     * @return the step
     */
    String step();

    /**
     * The saga's data as the previous steps left it.
     *
     * @return the data
     */
    D data();

    /**
     * Which attempt this is, 1 for the first; grows with retries, crashes and takeovers.
     *
     * @return the attempt, 1-based
     */
    int attempt();

    /**
     * A key that stays the same for every attempt of this step (or of its compensation), across retries, crashes
     * and takeovers: {@code <saga-name>.<saga-id>.<step>}, or {@code <saga-name>.<saga-id>.<step>.compensate} in a
     * compensation. Send it as {@code Idempotency-Key} (HTTP) or as the message id (NATS) so a participant that
     * dedupes on it applies the step once. Only {@code [A-Za-z0-9._-]}.
     *
     * @return the idempotency key
     */
    String idempotencyKey();

    /**
     * Why the saga is being compensated.
     *
     * @return the failure reason in a compensation; empty in an action
     */
    Optional<String> failure();
}
