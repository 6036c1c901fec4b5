package dev.flotilla.core.http;

/**
 * The called service did not answer within the call's timeout, or the caller's deadline ran out. Whether the
 * downstream acted on the request is unknown.
 */
public final class ServiceTimeoutException extends ServiceCallException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param service the name of the called service
     * @param message what happened
     * @param cause   the cause; may be {@code null}
     */
    public ServiceTimeoutException(String service, String message, Throwable cause) {
        super(service, message, cause);
    }
}
