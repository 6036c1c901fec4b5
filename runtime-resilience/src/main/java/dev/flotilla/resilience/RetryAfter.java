package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Optional;

/**
 * Implemented by an exception that knows how long the server asked the client to wait before trying again, such as an
 * HTTP 429 or 503 response with a {@code Retry-After} header.
 *
 * <p>When a retry policy retries such a failure, it waits for the given delay instead of its own backoff, capped by
 * the policy's {@code retry.max-delay}; jitter is still applied. An empty value means "use the normal backoff".
 */
public interface RetryAfter {
    /**
     * Returns how long the server asked the client to wait before the next attempt.
     *
     * @return the delay the server asked for, or empty if it gave none
     */
    Optional<Duration> retryAfter();
}
