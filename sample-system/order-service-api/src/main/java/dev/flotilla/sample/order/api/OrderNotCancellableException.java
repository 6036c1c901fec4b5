package dev.flotilla.sample.order.api;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;

/**
 * Only a confirmed order can be cancelled: answered 409 by {@link OrderApi#cancel} for an order that is pending or rejected (or changed while being cancelled).
 */
@ProblemType(status = 409, type = "order-not-cancellable", title = "Order cannot be cancelled")
public final class OrderNotCancellableException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * The exception the service throws.
     *
     * @param detail what happened, sent to the caller
     */
    public OrderNotCancellableException(String detail) {
        super(detail);
    }

    /**
     * The exception a typed client throws when the service answered it.
     *
     * @param problem the problem received
     */
    public OrderNotCancellableException(Problem problem) {
        super(problem);
    }
}
