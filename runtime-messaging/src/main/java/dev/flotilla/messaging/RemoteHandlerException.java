package dev.flotilla.messaging;

/**
 * The responder of a request threw; its error came back with the reply instead of a timeout.
 *
 * <p>The error travels in the standard NATS service headers {@code Nats-Service-Error} and
 * {@code Nats-Service-Error-Code}, plus {@link MessagingHeaders#ERROR_TYPE} with the exception's class name.
 */
public final class RemoteHandlerException extends MessagingException {

    private static final long serialVersionUID = 1L;

    /** The subject the request went to. */
    private final String subject;
    /** The class name of the exception the responder threw, or {@code "unknown"}. */
    private final String errorType;
    /** The responder's error message. */
    private final String errorMessage;
    /** The error code: 500 when the responder threw, 400 when it could not decode the request. */
    private final int errorCode;

    /**
     * Creates the exception.
     *
     * @param subject      the subject the request went to
     * @param errorType    the class name of the responder's exception, or {@code "unknown"}
     * @param errorMessage the responder's error message
     * @param errorCode    the error code (500 for an exception in the responder, 400 for an undecodable request)
     */
    public RemoteHandlerException(String subject, String errorType, String errorMessage, int errorCode) {
        super("Responder on subject '" + subject + "' failed with " + errorType + " (" + errorCode + "): "
                + errorMessage);
        this.subject = subject;
        this.errorType = errorType;
        this.errorMessage = errorMessage;
        this.errorCode = errorCode;
    }

    /**
     * The subject the request went to.
     *
     * @return the subject
     */
    public String subject() {
        return subject;
    }

    /**
     * The class name of the exception the responder threw.
     *
     * @return the type name, or {@code "unknown"} when the responder did not send one
     */
    public String errorType() {
        return errorType;
    }

    /**
     * The message of the exception the responder threw.
     *
     * @return the message; empty string when there was none
     */
    public String errorMessage() {
        return errorMessage;
    }

    /**
     * The error code: 500 when the responder threw, 400 when it could not decode the request.
     *
     * @return the code
     */
    public int errorCode() {
        return errorCode;
    }
}
