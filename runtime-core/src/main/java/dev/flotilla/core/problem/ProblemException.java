package dev.flotilla.core.problem;

import java.util.Objects;

/**
 * An exception that reaches the HTTP caller as the {@link Problem} it carries.
 *
 * <p>Throw one of the subclasses from a handler for the common cases ({@link BadRequestException} 400,
 * {@link NotFoundException} 404, {@link ConflictException} 409, {@link UnavailableException} 503), or this class
 * with any problem, for example a 422:
 * <pre>{@code
 * throw new ProblemException(Problem.of("unknown-user", 422, "Unknown user", "No user with id " + id));
 * }</pre>
 * The detail is sent to the caller as it is: do not put secrets or internal state in it.
 */
public class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The problem, not serialized with the exception. */
    private final transient Problem problem;

    /**
     * Creates an exception carrying the given problem.
     *
     * @param problem the problem to send to the caller
     * @throws NullPointerException if {@code problem} is {@code null}
     */
    public ProblemException(Problem problem) {
        this(problem, null);
    }

    /**
     * Creates an exception carrying the given problem, caused by another exception (logged, never sent).
     *
     * @param problem the problem to send to the caller
     * @param cause   the cause; may be {@code null}
     * @throws NullPointerException if {@code problem} is {@code null}
     */
    public ProblemException(Problem problem, Throwable cause) {
        super(Objects.requireNonNull(problem, "problem").title()
                      + problem.detailText().map(d -> ": " + d).orElse(""), cause);
        this.problem = problem;
    }

    /**
     * The problem sent to the caller.
     *
     * @return the problem; never {@code null}
     */
    public Problem problem() {
        return problem;
    }
}
