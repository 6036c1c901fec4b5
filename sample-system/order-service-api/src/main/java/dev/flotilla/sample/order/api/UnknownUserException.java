package dev.flotilla.sample.order.api;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;

/**
 * An order names a user the user-service does not know: answered 422 by {@link OrderApi#place}.
 */
@ProblemType(status = 422, type = "unknown-user", title = "Unknown user")
public final class UnknownUserException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * The exception the service throws.
     *
     * @param detail what happened, sent to the caller
     */
    public UnknownUserException(String detail) {
        super(detail);
    }

    /**
     * The exception a typed client throws when the service answered it.
     *
     * @param problem the problem received
     */
    public UnknownUserException(Problem problem) {
        super(problem);
    }
}
