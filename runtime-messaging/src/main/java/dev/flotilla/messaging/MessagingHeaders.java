package dev.flotilla.messaging;

/**
 * Names of the message headers Flotilla reads and writes.
 */
public final class MessagingHeaders {

    /** Correlation id; the same name as the HTTP header, restored into the handler's {@link dev.flotilla.core.observability.CallContext} (MDC key {@code correlationId}). */
    public static final String CORRELATION_ID = "X-Request-Id";
    /** W3C trace context, restored into the handler's {@link dev.flotilla.core.observability.CallContext} (MDC keys {@code traceId}, {@code spanId}). */
    public static final String TRACEPARENT = "traceparent";
    /** W3C trace state, carried with {@link #TRACEPARENT}. */
    public static final String TRACESTATE = "tracestate";
    /**
     * The sender's remaining time budget in whole milliseconds; the same name as the HTTP header. A request carries
     * its requester's (the smaller of its timeout and what is left of the caller's deadline), and it is the
     * deadline of the responder's {@link dev.flotilla.core.observability.CallContext}; see {@code docs/messaging.md},
     * "Deadlines", for which messages carry one and what a handler does with it.
     */
    public static final String DEADLINE = dev.flotilla.core.observability.CallContext.DEADLINE_HEADER;
    /** JetStream's de-duplication id, set on every durable publish. */
    public static final String MESSAGE_ID = "Nats-Msg-Id";
    /** The class name of the exception a responder threw. */
    public static final String ERROR_TYPE = "Flotilla-Error-Type";
    /** Standard NATS service error text, sent by a failing responder. */
    public static final String SERVICE_ERROR = "Nats-Service-Error";
    /** Standard NATS service error code, sent by a failing responder. */
    public static final String SERVICE_ERROR_CODE = "Nats-Service-Error-Code";
    /** On a dead letter: why the message was dead-lettered. */
    public static final String DEAD_LETTER_REASON = "Flotilla-Dead-Letter-Reason";
    /** On a dead letter: the subject the message was first published to. */
    public static final String ORIGINAL_SUBJECT = "Flotilla-Original-Subject";
    /** On a dead letter: how many times the message was delivered. */
    public static final String DELIVERY_COUNT = "Flotilla-Delivery-Count";
    /**
     * On a dead letter stored in a stream: the original {@value #MESSAGE_ID}, which the dead letter cannot keep
     * (its own id is {@code dead-letter-<original>}).
     */
    public static final String ORIGINAL_MESSAGE_ID = "Flotilla-Original-Msg-Id";
    /**
     * The publishing service's signature: a compact ES256 JWS (a service token) whose audience is the subject the
     * message was sent to and whose claims hold the payload's SHA-256 digest and, when sent on a user's behalf, the
     * user. Added to every message a service with a key sends; checked by subscriptions that verify publishers (see
     * {@code docs/security.md}, "Signed messages on NATS").
     */
    public static final String PUBLISHER = "Flotilla-Publisher";
    /** On a dead letter: the service whose handler gave up. */
    public static final String DEAD_LETTER_SERVICE = "Flotilla-Dead-Letter-Service";

    private MessagingHeaders() {
    }
}
