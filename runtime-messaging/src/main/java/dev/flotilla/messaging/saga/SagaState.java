package dev.flotilla.messaging.saga;

/** The state of a saga instance. */
public enum SagaState {
    /** A step runs, or is due to run (again). */
    RUNNING,
    /** A command was sent; the saga waits for its reply ({@link Saga#reply}) until the step's deadline. */
    WAITING,
    /** A step failed for good or a deadline passed: the completed steps are being undone in reverse order. */
    COMPENSATING,
    /** Every step completed. Final. */
    COMPLETED,
    /** A step failed and every compensation has run. Final. */
    FAILED;

    /**
     * Whether this state is final.
     *
     * @return {@code true} for {@link #COMPLETED} and {@link #FAILED}
     */
    public boolean finished() {
        return this == COMPLETED || this == FAILED;
    }
}
