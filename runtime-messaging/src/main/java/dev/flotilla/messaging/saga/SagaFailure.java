package dev.flotilla.messaging.saga;

import java.io.Serial;

/**
 * Thrown by a step's action or reply handler to say the step failed for good: it is not retried, the completed
 * steps are compensated in reverse order and the saga ends {@link SagaState#FAILED} with this reason. Any other
 * exception is treated as transient and retried.
 */
public class SagaFailure extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A failure with its reason.
     *
     * @param reason why the saga cannot go on; stored in the saga's state, so keep secrets out of it
     */
    public SagaFailure(String reason) {
        super(reason);
    }

    /**
     * A failure with its reason and cause.
     *
     * @param reason why the saga cannot go on
     * @param cause  the cause
     */
    public SagaFailure(String reason, Throwable cause) {
        super(reason, cause);
    }

    /**
     * The reason.
     *
     * @return the reason given
     */
    public String reason() {
        return getMessage();
    }
}
