package dev.flotilla.core;

/**
 * Thrown when a service cannot start: its configuration is invalid, its port is taken, an extension or its own
 * start-up hook failed. The message names the service and the cause.
 */
public final class ServiceStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServiceStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
