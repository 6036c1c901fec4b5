package dev.flotilla.messaging;

/**
 * Base of every exception the messaging module throws: a publish, request or declaration failed.
 */
public class MessagingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, with the subject or value involved
     */
    public MessagingException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, with the subject or value involved
     * @param cause   the underlying failure
     */
    public MessagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
