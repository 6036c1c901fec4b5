package dev.flotilla.resilience;

/**
 * Base of every exception that Flotilla's resilience layer throws itself.
 *
 * <p>Exceptions thrown by the guarded code are never wrapped in this type: an unchecked exception reaches the caller
 * unchanged, and a checked one arrives wrapped in Failsafe's {@link dev.failsafe.FailsafeException}, as with raw
 * Failsafe. An attempt that runs past its timeout ends with Failsafe's {@link dev.failsafe.TimeoutExceededException}
 * (the call was made, its outcome is unknown), unlike a {@link CallRejectedException} (the call was not made).
 */
public class ResilienceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, with the value and what to do
     */
    public ResilienceException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, with the value and what to do
     * @param cause   the underlying exception, may be {@code null}
     */
    public ResilienceException(String message, Throwable cause) {
        super(message, cause);
    }
}
