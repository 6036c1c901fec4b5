package dev.flotilla.messaging.saga;

/**
 * Undoes a step. Compensations are retried until they succeed, so they must be idempotent (key them on
 * {@link StepContext#idempotencyKey()}) and tolerate running for a step whose action had no effect.
 *
 * @param <D> the saga's data type
 */
@FunctionalInterface
public interface Compensation<D> {
    /**
     * Undoes the step.
     *
     * @param context the compensation's context; {@link StepContext#failure()} says why
     * @throws Exception any failure: retried with backoff
     */
    void compensate(StepContext<D> context) throws Exception;
}
