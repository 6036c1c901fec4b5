package dev.flotilla.core.problem;

/**
 * The thing asked for does not exist: answered with 404 and type {@code urn:flotilla:problem:not-found}.
 *
 * <p>This service's own answer. Its twin {@link dev.flotilla.core.http.RemoteNotFoundException} means something else:
 * what a downstream answered this service. The two are kept apart on purpose: a downstream's 404 is not this
 * service's 404 unless the handler decides so.
 */
public class NotFoundException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     */
    public NotFoundException(String detail) {
        super(Problem.of("not-found", 404, "Not Found", detail));
    }

    /**
     * Creates the exception with a cause, which is logged but never sent to the caller.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     * @param cause  the cause; may be {@code null}
     */
    public NotFoundException(String detail, Throwable cause) {
        super(Problem.of("not-found", 404, "Not Found", detail), cause);
    }
}
