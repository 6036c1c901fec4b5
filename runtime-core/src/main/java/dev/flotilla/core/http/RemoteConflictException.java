package dev.flotilla.core.http;

import java.time.Duration;

import dev.flotilla.core.problem.Problem;

/**
 * The called service answered 409: the request conflicts with the downstream's state.
 *
 * <p>A downstream's answer. Its twin {@link dev.flotilla.core.problem.ConflictException} is what a handler throws to
 * answer 409 itself; see {@link RemoteProblemException} for why one is not turned into the other.
 */
public final class RemoteConflictException extends RemoteProblemException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param service    the name of the called service
     * @param problem    the downstream's problem details
     * @param retryAfter the downstream's {@code Retry-After}; may be {@code null}
     */
    public RemoteConflictException(String service, Problem problem, Duration retryAfter) {
        super(service, problem, retryAfter);
    }
}
