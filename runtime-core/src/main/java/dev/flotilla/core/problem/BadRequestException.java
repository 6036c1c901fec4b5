package dev.flotilla.core.problem;

/**
 * The request is invalid: answered with 400 and type {@code urn:flotilla:problem:bad-request}.
 *
 * <p>This service's own answer. Its twin {@link dev.flotilla.core.http.RemoteBadRequestException} means something else:
 * what a downstream answered this service. The two are kept apart on purpose: a downstream's 400 is not this
 * service's 400 unless the handler decides so.
 */
public class BadRequestException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     */
    public BadRequestException(String detail) {
        super(Problem.of("bad-request", 400, "Bad Request", detail));
    }

    /**
     * Creates the exception with a cause, which is logged but never sent to the caller.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     * @param cause  the cause; may be {@code null}
     */
    public BadRequestException(String detail, Throwable cause) {
        super(Problem.of("bad-request", 400, "Bad Request", detail), cause);
    }
}
