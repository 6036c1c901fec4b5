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

/**
 * Runs each received message of one service through its handler or responder: decodes it, opens the publisher's
 * call context and a span, lets the {@link DeliveryInterceptor} see it, then acks, redelivers or dead-letters it
 * (a responder's failure is answered as an error). Counts what was handled, what failed and what was dead-lettered.
 * Thread-safe.
 */
final class HandlerDelivery {

    /** Messaging's own logger: log settings and log captures find handler failures under that name. */
    private static final Logger LOG = LoggerFactory.getLogger(DefaultMessaging.class);
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

    /** Runs one message through its handler; {@code durable} is null for core subscriptions. */
    <T> void handle(String subscribed, RawMessage raw, Class<T> type, MessageHandler<T> handler,
                    SubscriptionOptions durable, SubscriptionMetrics meters) {
        long began = meters.startTiming();
        long deliveries = raw.deliveryCount();
        meters.received(deliveries);
        Tracing.Span span = tracing.start(spanName("process ", raw.subject()), SpanKind.CONSUMER,
                                          raw.headers().get(MessagingHeaders.TRACEPARENT),
                                          raw.headers().get(MessagingHeaders.TRACESTATE));
        if (span.recording()) {
            span.attribute("messaging.system", transport.name())
                    .attribute("messaging.destination.name", raw.subject())
                    .attribute("messaging.destination.subscription.name", subscribed)
                    .attribute("messaging.operation.type", "process")
                    .attribute("messaging.delivery.count", deliveries);
        }
        CallContext.Scope scope = CallContextHeaders.restore(serviceName, raw.headers(), span);
        try {
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
                Envelope<T> envelope = new Envelope<>(payload, raw.subject(), raw.headers(), raw.deliveries());
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

    /** Runs one request through its responder and replies: with the result, or with the failure. */
    <Q, R> void answer(String subscribed, RawMessage raw, Class<Q> type, Responder<Q, R> responder,
                       SubscriptionMetrics meters) {
        long began = meters.startTiming();
        Tracing.Span span = tracing.start(spanName("respond ", raw.subject()), SpanKind.SERVER,
                                          raw.headers().get(MessagingHeaders.TRACEPARENT),
                                          raw.headers().get(MessagingHeaders.TRACESTATE));
        if (span.recording()) {
            span.attribute("messaging.system", transport.name())
                    .attribute("messaging.destination.name", raw.subject())
                    .attribute("messaging.destination.subscription.name", subscribed)
                    .attribute("messaging.operation.type", "process");
        }
        CallContext.Scope scope = CallContextHeaders.restore(serviceName, raw.headers(), span);
        try {
            Q request;
            try {
                request = codec.decode(raw.body(), type);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Undecodable request on {}: {}", raw.subject(), firstLine(e));
                meters.failed();
                span.failed(e);
                replyError(raw, e, "undecodable request for " + type.getName() + ": " + firstLine(e), 400);
                return;
            }
            byte[] reply;
            try {
                Envelope<Q> envelope = new Envelope<>(request, raw.subject(), raw.headers(), RawMessage.ONCE);
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
                replyError(raw, e, e.getMessage() == null ? "" : e.getMessage(), 500);
                return;
            }
            raw.replier().reply(replyHeaders(raw), reply);
        } catch (RuntimeException e) {
            LOG.error("Could not reply to a request on {}", raw.subject(), e);
        } finally {
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

    private static void replyError(RawMessage raw, Exception e, String message, int code) {
        Map<String, String> headers = new LinkedHashMap<>(4);
        headers.put(MessagingHeaders.SERVICE_ERROR, message.isEmpty() ? e.getClass().getSimpleName() : message);
        headers.put(MessagingHeaders.SERVICE_ERROR_CODE, Integer.toString(code));
        headers.put(MessagingHeaders.ERROR_TYPE, e.getClass().getName());
        CallContextHeaders.addTo(headers);
        raw.replier().reply(headers, new byte[0]);
    }
}
