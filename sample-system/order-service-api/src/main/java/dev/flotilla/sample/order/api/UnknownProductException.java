package dev.flotilla.sample.order.api;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;

/**
 * An order names a product the product-service does not know: answered 422 by {@link OrderApi#place}.
 */
@ProblemType(status = 422, type = "unknown-product", title = "Unknown product")
public final class UnknownProductException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * The exception the service throws.
     *
     * @param detail what happened, sent to the caller
     */
    public UnknownProductException(String detail) {
        super(detail);
    }

    /**
     * The exception a typed client throws when the service answered it.
     *
     * @param problem the problem received
     */
    public UnknownProductException(Problem problem) {
        super(problem);
    }
}
