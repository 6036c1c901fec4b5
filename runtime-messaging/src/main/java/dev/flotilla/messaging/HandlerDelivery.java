package dev.flotilla.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.internal.DeliveryInterceptor;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs each received message of one service through its handler or responder: decodes it, opens the publisher's
 * call context and a span, lets the {@link DeliveryInterceptor} see it, then acks, redelivers or dead-letters it
 * (a responder's failure is answered as an error). A message whose deadline ({@link RawMessage#deadline()}) has run
 * out by the time its handler would start is not handled: a request is answered with a 504 error, which its
 * requester takes for a timeout. On a subscription that verifies its publishers ({@link PublisherSignatures.Check}),
 * a message whose publisher does not verify is not handled either: it is dead-lettered with the reason and
 * terminated (a request gets a {@value #UNVERIFIED_CODE} error reply). Counts what was handled, what failed, what
 * was dead-lettered, what expired and what was refused as unverified. Thread-safe.
 */
final class HandlerDelivery {

    /** Messaging's own logger: log settings and log captures find handler failures under that name. */
    private static final Logger LOG = LoggerFactory.getLogger(DefaultMessaging.class);
    /** The error code of the answer to a request that expired before its responder ran: gateway timeout. */
    static final int EXPIRED_CODE = 504;
    /** The error code of the answer to a request whose publisher did not verify: forbidden. */
    static final int UNVERIFIED_CODE = 403;
    /** The prefix of the dead-letter reason of a message whose publisher did not verify. */
    static final String UNVERIFIED_REASON = "unverified publisher: ";
    /** Redelivery delay of a durable message whose dead letter could not be stored. */
    private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(5);

    private final String serviceName;
    private final String deadLetterSubject;
    private final Transport transport;
    private final JsonCodec codec;
    private final Tracing tracing;
    private final DeliveryInterceptor interceptor;
    private final LongAdder handled = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder unverified = new LongAdder();

    HandlerDelivery(String serviceName, String deadLetterSubject, Transport transport, JsonCodec codec,
                    Tracing tracing, DeliveryInterceptor interceptor) {
        this.serviceName = serviceName;
        this.deadLetterSubject = deadLetterSubject;
        this.transport = transport;
        this.codec = codec;
        this.tracing = tracing;
        this.interceptor = interceptor;
    }

    long handled() {
        return handled.sum();
    }

    long failed() {
        return failed.sum();
    }

    long deadLettered() {
        return deadLettered.sum();
    }

    long expired() {
        return expired.sum();
    }

    long unverified() {
        return unverified.sum();
    }

    /**
     * The verified publisher of a message, put in the MDC; {@code null} when the subscription does not verify.
     * Throws (after counting) when it does not verify; the caller logs it, with the reason, which names the signer
     * at most and never holds the token.
     */
    private Publisher verify(PublisherSignatures.Check check, RawMessage raw, SubscriptionMetrics meters,
                             Tracing.Span span) throws PublisherSignatures.Unverified {
        if (check == null) {
            return null;
        }
        Publisher publisher;
        try {
            publisher = check.verify(raw);
        } catch (PublisherSignatures.Unverified e) {
            unverified.increment();
            meters.unverified();
            span.failed(e);
            throw e;
        }
        MDC.put(Publisher.MDC_SERVICE, publisher.service());
        publisher.user().ifPresent(user -> MDC.put(Publisher.MDC_USER, user));
        return publisher;
    }

    private static void clearPublisher(Publisher publisher) {
        if (publisher != null) {
            MDC.remove(Publisher.MDC_SERVICE);
            MDC.remove(Publisher.MDC_USER);
        }
    }

    /**
     * Whether a message's deadline has run out, so that its handler must not run; counts and logs it if so. Checked
     * when the handler would start, so time queued behind other messages counts.
     */
    private boolean expired(RawMessage raw, SubscriptionMetrics meters) {
        if (raw.deadline() == null || !raw.deadline().isExpired()) {
            return false;
        }
        expired.increment();
        meters.expired();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Not handling a {} on {} (correlation id {}): its deadline ran out before its handler could "
                    + "start", raw.replier() == RawMessage.Replier.NONE ? "message" : "request", raw.subject(),
                    raw.headers().get(MessagingHeaders.CORRELATION_ID));
        }
        return true;
    }

    /** The span of one received message, continuing the sender's trace, with the attributes every one has. */
    private Tracing.Span startSpan(String operation, SpanKind kind, String subscribed, RawMessage raw) {
        Tracing.Span span = tracing.start(spanName(operation, raw.subject()), kind,
                                          raw.headers().get(MessagingHeaders.TRACEPARENT),
                                          raw.headers().get(MessagingHeaders.TRACESTATE));
        if (span.recording()) {
            span.attribute("messaging.system", transport.name())
                    .attribute("messaging.destination.name", raw.subject())
                    .attribute("messaging.destination.subscription.name", subscribed)
                    .attribute("messaging.operation.type", "process");
        }
        return span;
    }

    /**
     * Runs one message through its handler; {@code durable} is null for core subscriptions, {@code check} when the
     * subscription does not verify publishers.
     */
    <T> void handle(String subscribed, RawMessage raw, Class<T> type, MessageHandler<T> handler,
                    SubscriptionOptions durable, PublisherSignatures.Check check, SubscriptionMetrics meters) {
        if (expired(raw, meters)) {
            return; // its sender gave up on it: neither handled nor dead-lettered (durable messages carry none)
        }
        long began = meters.startTiming();
        long deliveries = raw.deliveryCount();
        meters.received(deliveries);
        Tracing.Span span = startSpan("process ", SpanKind.CONSUMER, subscribed, raw);
        if (span.recording()) {
            span.attribute("messaging.delivery.count", deliveries);
        }
        CallContext.Scope scope = CallContextHeaders.restore(serviceName, raw, span);
        Publisher publisher = null;
        try {
            try {
                publisher = verify(check, raw, meters, span);
            } catch (PublisherSignatures.Unverified e) {
                // terminated, not redelivered: a redelivery would not verify either
                if (deadLetter(raw, UNVERIFIED_REASON + e.getMessage())) {
                    meters.deadLettered();
                    raw.acks().term();
                } else {
                    raw.acks().nak(DEAD_LETTER_RETRY);
                }
                return;
            }
            T payload;
            try {
                payload = codec.decode(raw.body(), type);
            } catch (IOException | RuntimeException e) {
                span.failed(e);
                if (deadLetter(raw, "undecodable payload for " + type.getName() + ": " + firstLine(e))) {
                    meters.deadLettered();
                    raw.acks().term();
                } else {
                    raw.acks().nak(DEAD_LETTER_RETRY);
                }
                return;
            }
            try {
                Envelope<T> envelope = new Envelope<>(payload, raw.subject(), raw.headers(), raw.deliveries(),
                                                      publisher);
                interceptor.beforeHandler(serviceName, subscribed);
                handler.handle(envelope);
                handled.increment();
                meters.handled();
                raw.acks().ack();
            } catch (Exception e) {
                failed.increment();
                meters.failed();
                span.failed(e);
                if (durable == null) {
                    LOG.warn("Handler for {} failed; core messages are not redelivered", raw.subject(), e);
                    if (deadLetter(raw, "handler failed: " + firstLine(e))) {
                        meters.deadLettered();
                    }
                } else if (raw.deliveryCount() >= durable.maxDeliver()) {
                    LOG.warn("Handler for {} failed on delivery {} of {}", raw.subject(), raw.deliveryCount(),
                            durable.maxDeliver(), e);
                    if (deadLetter(raw, "handler failed " + raw.deliveryCount() + " times: " + firstLine(e))) {
                        meters.deadLettered();
                        raw.acks().term();
                    } else {
                        raw.acks().nak(DEAD_LETTER_RETRY);
                    }
                } else {
                    Duration delay = durable.backoffAfter(raw.deliveryCount());
                    LOG.info("Handler for {} failed on delivery {} of {}, redelivering in {}: {}", raw.subject(),
                            raw.deliveryCount(), durable.maxDeliver(), delay, firstLine(e));
                    raw.acks().nak(delay);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Could not settle a message on {}", raw.subject(), e);
        } finally {
            clearPublisher(publisher);
            meters.processed(began);
            span.end();
            scope.close();
        }
    }

    /** A handling span's name; only a recorded span shows it, so propagation alone builds no string per message. */
    private String spanName(String operation, String subject) {
        return tracing.exporting() ? operation + subject : operation;
    }

    /** Returns false when the dead letter could not be stored; a durable original is then kept (nak'ed). */
    private boolean deadLetter(RawMessage raw, String reason) {
        Map<String, String> headers = new LinkedHashMap<>(raw.headers());
        // a dead letter is kept for whoever reads it, whenever: the original's budget must not make it expire
        headers.remove(MessagingHeaders.DEADLINE);
        headers.put(MessagingHeaders.DEAD_LETTER_REASON, reason);
        headers.put(MessagingHeaders.ORIGINAL_SUBJECT, raw.subject());
        headers.put(MessagingHeaders.DELIVERY_COUNT, Long.toString(raw.deliveryCount()));
        headers.put(MessagingHeaders.DEAD_LETTER_SERVICE, serviceName);
        LOG.warn("Dead-lettering message from {} to {}: {}", raw.subject(), deadLetterSubject, reason);
        try {
            transport.publishDeadLetter(deadLetterSubject, headers, raw.body());
        } catch (RuntimeException e) {
            LOG.error("Could not publish the dead letter of a message from {}; keeping the message: {}",
                    raw.subject(), e.toString());
            return false;
        }
        deadLettered.increment();
        return true;
    }

    static String firstLine(Throwable e) {
        String text = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        int nl = text.indexOf('\n');
        text = nl < 0 ? text : text.substring(0, nl);
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    /**
     * Runs one request through its responder and replies: with the result, or with the failure; a request whose
     * publisher does not verify ({@code check}, null when the responder does not verify) is refused.
     */
    <Q, R> void answer(String subscribed, RawMessage raw, Class<Q> type, Responder<Q, R> responder,
                       PublisherSignatures.Check check, SubscriptionMetrics meters) {
        if (expired(raw, meters)) {
            replyExpired(raw);
            return;
        }
        long began = meters.startTiming();
        Tracing.Span span = startSpan("respond ", SpanKind.SERVER, subscribed, raw);
        CallContext.Scope scope = CallContextHeaders.restore(serviceName, raw, span);
        Publisher publisher = null;
        try {
            try {
                publisher = verify(check, raw, meters, span);
            } catch (PublisherSignatures.Unverified e) {
                LOG.warn("Refusing a request on {}: {}{}", raw.subject(), UNVERIFIED_REASON, e.getMessage());
                replyError(raw, SecurityException.class.getName(), UNVERIFIED_REASON + e.getMessage(),
                           UNVERIFIED_CODE);
                return;
            }
            Q request;
            try {
                request = codec.decode(raw.body(), type);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Undecodable request on {}: {}", raw.subject(), firstLine(e));
                meters.failed();
                span.failed(e);
                replyError(raw, e.getClass().getName(),
                           "undecodable request for " + type.getName() + ": " + firstLine(e), 400);
                return;
            }
            byte[] reply;
            try {
                Envelope<Q> envelope = new Envelope<>(request, raw.subject(), raw.headers(), RawMessage.ONCE,
                                                      publisher);
                interceptor.beforeHandler(serviceName, subscribed);
                R result = responder.respond(envelope);
                reply = codec.encode(result);
                handled.increment();
                meters.handled();
            } catch (Exception e) {
                failed.increment();
                meters.failed();
                span.failed(e);
                LOG.warn("Responder for {} failed", raw.subject(), e);
                replyError(raw, e.getClass().getName(),
                           e.getMessage() == null || e.getMessage().isEmpty() ? e.getClass().getSimpleName()
                                   : e.getMessage(), 500);
                return;
            }
            raw.replier().reply(replyHeaders(raw), reply);
        } catch (RuntimeException e) {
            LOG.error("Could not reply to a request on {}", raw.subject(), e);
        } finally {
            clearPublisher(publisher);
            meters.processed(began);
            span.end();
            scope.close();
        }
    }

    /**
     * A reply echoes the requester's correlation id and trace context when the request carried them; a request
     * without headers gets a reply without headers (as a bare NATS reply), which the requester parses faster.
     */
    private static Map<String, String> replyHeaders(RawMessage raw) {
        if (!raw.headers().containsKey(MessagingHeaders.CORRELATION_ID)) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>(4);
        CallContextHeaders.addTo(headers);
        return headers;
    }

    private static void replyError(RawMessage raw, String errorType, String message, int code) {
        Map<String, String> headers = new LinkedHashMap<>(4);
        headers.put(MessagingHeaders.SERVICE_ERROR, message);
        headers.put(MessagingHeaders.SERVICE_ERROR_CODE, Integer.toString(code));
        headers.put(MessagingHeaders.ERROR_TYPE, errorType);
        CallContextHeaders.addTo(headers);
        raw.replier().reply(headers, new byte[0]);
    }

    /**
     * Answers a request that expired before its responder ran: the standard NATS service error with code
     * {@value #EXPIRED_CODE} (a gateway timeout, which {@link DefaultMessaging} turns into a
     * {@link RequestTimeoutException}), echoing the requester's correlation id. Runs outside the request's context.
     */
    private static void replyExpired(RawMessage raw) {
        Map<String, String> headers = new LinkedHashMap<>(4);
        headers.put(MessagingHeaders.SERVICE_ERROR, "the request's deadline ran out before the responder could run");
        headers.put(MessagingHeaders.SERVICE_ERROR_CODE, Integer.toString(EXPIRED_CODE));
        headers.put(MessagingHeaders.ERROR_TYPE, RequestTimeoutException.class.getName());
        String correlationId = raw.headers().get(MessagingHeaders.CORRELATION_ID);
        if (correlationId != null) {
            headers.put(MessagingHeaders.CORRELATION_ID, correlationId);
        }
        try {
            raw.replier().reply(headers, new byte[0]);
        } catch (RuntimeException e) {
            LOG.debug("Could not answer an expired request on {}: {}", raw.subject(), e.toString());
        }
    }
}
