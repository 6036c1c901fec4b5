package dev.flotilla.messaging;

import java.time.Duration;

/**
 * A request got no reply within its timeout, although a responder may have received it.
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
}
