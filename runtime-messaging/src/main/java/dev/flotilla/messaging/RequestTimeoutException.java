package dev.flotilla.messaging;

import java.time.Duration;

/**
 * A request got no reply in time, although a responder may have received it: within the request's timeout, within
 * what was left of the caller's deadline (then the request was not even sent when less than a millisecond was left),
 * or the responder refused to run it because its deadline had run out by the time it got to it (see
 * {@link MessagingHeaders#DEADLINE}). The message says which.
 */
public final class RequestTimeoutException extends MessagingException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param subject the subject the request went to
     * @param timeout the timeout that elapsed
     */
    public RequestTimeoutException(String subject, Duration timeout) {
        super("No reply on subject '" + subject + "' within " + timeout
                + ": the responder is slow or was lost; retry if the request is idempotent.");
    }

    private RequestTimeoutException(String message) {
        super(message);
    }

    /** The caller's deadline left less than a millisecond: the request was not sent. */
    static RequestTimeoutException deadlineRanOut(String subject) {
        return new RequestTimeoutException("The caller's deadline ran out before the request to '" + subject
                + "' was sent; it was not sent.");
    }

    /** The caller's deadline was shorter than the request's timeout and ran out while waiting for the reply. */
    static RequestTimeoutException deadlineReached(String subject, Duration waited) {
        return new RequestTimeoutException("No reply on subject '" + subject + "' within "
                + waited.truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + ", what was left of the caller's deadline.");
    }

    /** The responder received the request after its deadline had run out, and did not run it. */
    static RequestTimeoutException expiredAtResponder(String subject) {
        return new RequestTimeoutException("The responder on subject '" + subject + "' did not run the request: its "
                + "deadline had run out by the time the responder got to it.");
    }
}
