package dev.flotilla.core.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.resilience.RetryAfter;

/**
 * The called service answered with a status that is not a success. It carries the downstream's problem details
 * ({@code type}, {@code title}, {@code status}, {@code detail}), so a caller can tell one failure from another;
 * the common statuses have their own subclasses ({@link RemoteBadRequestException}, {@link RemoteNotFoundException},
 * {@link RemoteConflictException}, {@link RemoteUnavailableException}). A {@code Retry-After} header is honoured by
 * retries.
 *
 * <p>A downstream's problem is never passed on to this service's own caller by itself: an uncaught
 * {@code RemoteProblemException} becomes a 500 there, since a downstream's 404 is rarely this service's 404. Catch it
 * and throw the {@link dev.flotilla.core.problem.ProblemException} that fits.
 *
 * <p>The one pass-through is explicit. When the called method declares a problem (an exception annotated
 * {@link dev.flotilla.core.problem.ProblemType} in its {@code throws} clause) and the downstream answers one of that
 * type, the client throws that exception instead of a {@code RemoteProblemException} (this one is attached to it as
 * suppressed, naming the service). The declared exception is a {@code ProblemException}: a served method that
 * declares the same exception in its own {@code throws} clause and lets it propagate answers it to its caller, with
 * the downstream's status, type, title, detail and extension members (and its own {@code instance} and
 * {@code requestId}). A served method that does not declare it answers 500 instead, so no problem type reaches a
 * caller that the called operation's contract does not list.
 */
public class RemoteProblemException extends ServiceCallException implements RetryAfter {
    private static final long serialVersionUID = 1L;

    /** The problem, not serialized with the exception. */
    private final transient Problem problem;
    /** How long the service asked callers to wait before retrying; {@code null} when it did not say. */
    private final Duration retryAfter;

    /**
     * Creates the exception.
     *
     * @param service    the name of the called service
     * @param problem    the downstream's problem details
     * @param retryAfter the downstream's {@code Retry-After}; may be {@code null}
     * @throws NullPointerException if {@code service} or {@code problem} is {@code null}
     */
    public RemoteProblemException(String service, Problem problem, Duration retryAfter) {
        super(service, service + " answered " + Objects.requireNonNull(problem, "problem").status() + " "
                + problem.title() + problem.detailText().map(d -> ": " + d).orElse(""), null);
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    /**
     * The downstream's problem details.
     *
     * @return the problem; never {@code null}
     */
    public Problem problem() {
        return problem;
    }

    /**
     * The HTTP status the downstream answered with.
     *
     * @return the status code
     */
    public int status() {
        return problem.status();
    }

    /**
     * The delay the downstream asked for in {@code Retry-After}.
     *
     * @return the delay; empty when none was sent
     */
    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
