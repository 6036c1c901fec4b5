package dev.flotilla.messaging.saga;

/**
 * Handles the reply a waiting step receives.
 *
 * @param <D> the saga's data type
 * @param <R> the reply type
 */
@FunctionalInterface
public interface ReplyHandler<D, R> {
    /**
     * Handles the reply.
     *
     * @param context the step's context
     * @param reply   the reply
     * @return the new data; not {@code null}
     * @throws SagaFailure if the reply means the step failed (compensations run, this step's own included)
     * @throws Exception   a transient failure: retried with backoff until the step's timeout
     */
    D handle(StepContext<D> context, R reply) throws Exception;
}
