package dev.flotilla.sample.user.api;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;

/**
 * The e-mail address of a registration is registered already: answered 409 by {@link UserApi#register}.
 */
@ProblemType(status = 409, type = "duplicate-email", title = "E-mail already registered")
public final class DuplicateEmailException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * The exception the service throws.
     *
     * @param detail what happened, sent to the caller
     */
    public DuplicateEmailException(String detail) {
        super(detail);
    }

    /**
     * The exception a typed client throws when the service answered it.
     *
     * @param problem the problem received
     */
    public DuplicateEmailException(Problem problem) {
        super(problem);
    }
}
