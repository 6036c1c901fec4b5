package dev.flotilla.core.http;

/**
 * The called service could not be reached: discovery knows no instance of it, the connection failed, or the circuit
 * breakers of all its instances are open. The request did not reach a handler (or, for a broken connection, it is
 * unknown whether it did).
 */
public final class ServiceUnreachableException extends ServiceCallException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param service the name of the called service
     * @param message what happened
     * @param cause   the cause; may be {@code null}
     */
    public ServiceUnreachableException(String service, String message, Throwable cause) {
        super(service, message, cause);
    }
}
