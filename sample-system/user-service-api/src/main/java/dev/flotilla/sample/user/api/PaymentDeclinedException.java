package dev.flotilla.sample.user.api;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;

/**
 * A charge was declined, answered 422 by {@link UserApi#charge}: it would take the user past their credit limit, or
 * its idempotency key was refunded or voided already (a refund that overtook its charge), or the key was used for
 * another payment. Nothing was charged.
 */
@ProblemType(status = 422, type = "payment-declined", title = "Payment declined")
public final class PaymentDeclinedException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * The exception the service throws.
     *
     * @param detail why, sent to the caller, e.g. {@code credit limit exceeded: 1200 of 1000 cents}
     */
    public PaymentDeclinedException(String detail) {
        super(detail);
    }

    /**
     * The exception a typed client throws when the service answered it.
     *
     * @param problem the problem received
     */
    public PaymentDeclinedException(Problem problem) {
        super(problem);
    }
}
