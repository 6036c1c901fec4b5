package dev.flotilla.core.problem;

/**
 * The request conflicts with the current state (a duplicate, a stale version): answered with 409 and type {@code urn:flotilla:problem:conflict}.
 *
 * <p>This service's own answer. Its twin {@link dev.flotilla.core.http.RemoteConflictException} means something else:
 * what a downstream answered this service. The two are kept apart on purpose: a downstream's 409 is not this
 * service's 409 unless the handler decides so.
 */
public class ConflictException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     */
    public ConflictException(String detail) {
        super(Problem.of("conflict", 409, "Conflict", detail));
    }

    /**
     * Creates the exception with a cause, which is logged but never sent to the caller.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     * @param cause  the cause; may be {@code null}
     */
    public ConflictException(String detail, Throwable cause) {
        super(Problem.of("conflict", 409, "Conflict", detail), cause);
    }
}
