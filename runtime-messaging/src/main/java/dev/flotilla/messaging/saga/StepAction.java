package dev.flotilla.messaging.saga;

/**
 * A step's action: does the work and returns the saga's new data.
 *
 * @param <D> the saga's data type
 */
@FunctionalInterface
public interface StepAction<D> {
    /**
     * Runs the step.
     *
     * @param context the step's context
     * @return the new data (return {@code context.data()} to keep it); not {@code null}
     * @throws SagaFailure if the step failed for good
     * @throws Exception   a transient failure: the step is retried with backoff until its timeout
     */
    D run(StepContext<D> context) throws Exception;
}
