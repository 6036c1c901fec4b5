package dev.flotilla.sample.common;

import dev.flotilla.core.http.RemoteProblemException;

/**
 * Whose fault a downstream service's problem answer is. A 4xx about what the caller sent (not found, invalid,
 * conflicting, too large) is the caller's mistake and goes back to the caller as a 4xx; anything else (a 5xx, or a
 * 401, 403, 407, 408 or 429, which are about this service's own credentials or the downstream's load) means the
 * downstream cannot be used right now and is this service's 503. A client's bad input must never look like an outage
 * to the circuit breakers in front of this service.
 */
public final class DownstreamAnswers {
    private DownstreamAnswers() {
    }

    /**
     * Whether the downstream refused what the caller sent, rather than being unusable.
     *
     * @param answer the downstream's problem answer
     * @return {@code true} for a 4xx other than 401, 403, 407, 408 and 429
     */
    public static boolean refusesTheRequest(RemoteProblemException answer) {
        int status = answer.status();
        return status >= 400 && status < 500 && status != 401 && status != 403 && status != 407 && status != 408
                && status != 429;
    }
}
