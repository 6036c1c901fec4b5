package dev.flotilla.core.problem;

import dev.flotilla.core.Service;

/**
 * The service cannot answer now (a dependency is down, it is overloaded): answered with 503 and type {@code urn:flotilla:problem:unavailable}.
 *
 * <p>This service's own answer. Its twin {@link dev.flotilla.core.http.RemoteUnavailableException} means something else:
 * what a downstream answered this service. The two are kept apart on purpose: a downstream's 503 is not this
 * service's 503 unless the handler decides so.
 */
public class UnavailableException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     */
    public UnavailableException(String detail) {
        super(Problem.of("unavailable", 503, "Service Unavailable", detail));
    }

    /**
     * Creates the exception with a cause, which is logged but never sent to the caller.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     * @param cause  the cause; may be {@code null}
     */
    public UnavailableException(String detail, Throwable cause) {
        super(Problem.of("unavailable", 503, "Service Unavailable", detail), cause);
    }
}
