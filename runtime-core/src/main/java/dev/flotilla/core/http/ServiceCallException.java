package dev.flotilla.core.http;

import java.util.Objects;

/**
 * A call through a typed client that did not succeed. The subclasses say why: the downstream answered with a
 * problem ({@link RemoteProblemException} and its subclasses), could not be reached
 * ({@link ServiceUnreachableException}), or did not answer in time ({@link ServiceTimeoutException}).
 */
public class ServiceCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The name of the service called. */
    private final String service;

    /**
     * Creates the exception.
     *
     * @param service the name of the called service
     * @param message what happened
     * @param cause   the cause; may be {@code null}
     * @throws NullPointerException if {@code service} is {@code null}
     */
    public ServiceCallException(String service, String message, Throwable cause) {
        super(message, cause);
        this.service = Objects.requireNonNull(service, "service");
    }

    /**
     * The name of the called service.
     *
     * @return the name
     */
    public String service() {
        return service;
    }
}
