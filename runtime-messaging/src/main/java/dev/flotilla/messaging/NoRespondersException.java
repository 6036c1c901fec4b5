package dev.flotilla.messaging;

/**
 * A request was sent to a subject that nobody listens to, so it failed at once instead of timing out.
 */
public final class NoRespondersException extends MessagingException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param subject the subject the request went to
     */
    public NoRespondersException(String subject) {
        super("No responder listens on subject '" + subject
                + "': start a service that calls Messaging.respond for it.");
    }
}
