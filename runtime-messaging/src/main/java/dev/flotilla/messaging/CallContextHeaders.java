package dev.flotilla.messaging;

import java.util.Map;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.resilience.Deadline;

/**
 * Carries core's {@link CallContext} (correlation id, W3C trace context and, on requests, the deadline) into message
 * headers, and back into a handler's context.
 */
final class CallContextHeaders {

    private CallContextHeaders() {
    }

    /** Whether the caller has a context to carry. */
    static boolean present() {
        return CallContext.current().isPresent();
    }

    /** Adds the caller's correlation id and trace context to outgoing headers, unless already there. */
    static void addTo(Map<String, String> headers) {
        CallContext.current().ifPresent(context -> {
            headers.putIfAbsent(MessagingHeaders.CORRELATION_ID, context.correlationId());
            context.traceParent().ifPresent(v -> headers.putIfAbsent(MessagingHeaders.TRACEPARENT, v));
            context.traceState().ifPresent(v -> headers.putIfAbsent(MessagingHeaders.TRACESTATE, v));
        });
    }

    /** The deadline of the caller's context; {@code null} when it has none. */
    static Deadline deadline() {
        CallContext context = CallContext.current().orElse(null);
        return context == null ? null : context.deadline().orElse(null);
    }

    /**
     * Opens the context a handler runs in: the publisher's correlation id (a fresh one when it sent none), the
     * handler's span (a child of the publisher's trace context) and the message's deadline, for this service. Close
     * the scope when the handler is done.
     */
    static CallContext.Scope restore(String service, RawMessage raw, Tracing.Span span) {
        // a span without a trace (a message sent outside any) leaves the context without one
        return CallContext.received(service, raw.headers().get(MessagingHeaders.CORRELATION_ID), span.traceParent(),
                                    span.traceState(), raw.deadline()).open();
    }

    /** Puts a span's context into outgoing headers, over whatever the caller's context put there. */
    static void addSpan(Map<String, String> headers, Tracing.Span span) {
        if (span.traceParent() != null) {
            headers.put(MessagingHeaders.TRACEPARENT, span.traceParent());
            if (span.traceState() != null) {
                headers.put(MessagingHeaders.TRACESTATE, span.traceState());
            } else {
                headers.remove(MessagingHeaders.TRACESTATE);
            }
        }
    }
}
