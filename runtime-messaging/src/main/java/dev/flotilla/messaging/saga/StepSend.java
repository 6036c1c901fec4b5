package dev.flotilla.messaging.saga;

/**
 * Sends a waiting step's command; the saga then waits for the reply.
 *
 * @param <D> the saga's data type
 */
@FunctionalInterface
public interface StepSend<D> {
    /**
     * Sends the command, with {@link StepContext#idempotencyKey()} as its message id.
     *
     * @param context the step's context
     * @throws SagaFailure if the step failed for good
     * @throws Exception   a transient failure: retried with backoff until the step's timeout
     */
    void send(StepContext<D> context) throws Exception;
}
