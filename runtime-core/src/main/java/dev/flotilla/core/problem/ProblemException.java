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
 *
 * <p>A subclass annotated {@link ProblemType} is a problem a contract method can declare in its {@code throws}
 * clause; its constructors pass the detail ({@link #ProblemException(String)}) and the problem a typed client
 * received ({@link #ProblemException(Problem)}).
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
     * Creates an exception carrying the problem its class declares with {@link ProblemType}, with a detail: the
     * constructor of a declared problem's exception.
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     * @throws IllegalStateException if the class is not annotated {@link ProblemType}, or the annotation is invalid
     */
    protected ProblemException(String detail) {
        this(detail, (Throwable) null);
    }

    /**
     * Creates an exception carrying the problem its class declares with {@link ProblemType}, with a detail and a
     * cause (logged, never sent).
     *
     * @param detail what went wrong, sent to the caller as the problem's {@code detail}; may be {@code null}
     * @param cause  the cause; may be {@code null}
     * @throws IllegalStateException if the class is not annotated {@link ProblemType}, or the annotation is invalid
     */
    protected ProblemException(String detail, Throwable cause) {
        super(null, cause);
        ProblemType type = getClass().getAnnotation(ProblemType.class);
        if (type == null) {
            throw new IllegalStateException(getClass().getName() + " is not annotated @ProblemType: pass a Problem to "
                                                    + "the constructor instead");
        }
        try {
            this.problem = Problem.of(type, detail);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Invalid @ProblemType on " + getClass().getName() + ": " + e.getMessage(),
                                            e);
        }
    }

    /**
     * The problem's title and detail.
     *
     * @return {@code <title>: <detail>}, or the title alone when there is no detail
     */
    @Override
    public String getMessage() {
        // The problem is not serialized: a deserialized exception keeps the message it was made with.
        return problem == null ? super.getMessage()
                : problem.title() + problem.detailText().map(d -> ": " + d).orElse("");
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
