package dev.flotilla.messaging;

import java.util.Map;

import org.slf4j.MDC;

/**
 * Carries correlation id and trace context between the MDC and message headers.
 */
final class Correlation {

    static final String MDC_SERVICE = "service";
    static final String MDC_CORRELATION_ID = "correlationId";
    static final String MDC_TRACEPARENT = "traceparent";

    private Correlation() {
    }

    /** Whether the caller's MDC has anything to carry. */
    static boolean present() {
        return MDC.get(MDC_CORRELATION_ID) != null || MDC.get(MDC_TRACEPARENT) != null;
    }

    /** Adds the caller's correlation id and trace context to outgoing headers, unless already there. */
    static void addTo(Map<String, String> headers) {
        String correlationId = MDC.get(MDC_CORRELATION_ID);
        if (correlationId != null) {
            headers.putIfAbsent(MessagingHeaders.CORRELATION_ID, correlationId);
        }
        String traceparent = MDC.get(MDC_TRACEPARENT);
        if (traceparent != null) {
            headers.putIfAbsent(MessagingHeaders.TRACEPARENT, traceparent);
        }
    }

    /**
     * Puts the message's correlation into the MDC of the current delivery thread. The service name stays: every
     * delivery thread belongs to one service's subscription.
     *
     * @return what to clear afterwards, for {@link #clear(int)}
     */
    static int restore(String service, Map<String, String> headers) {
        if (!service.equals(MDC.get(MDC_SERVICE))) {
            MDC.put(MDC_SERVICE, service);
        }
        if (headers.isEmpty()) {
            return 0;
        }
        int set = 0;
        String correlationId = headers.get(MessagingHeaders.CORRELATION_ID);
        if (correlationId != null) {
            MDC.put(MDC_CORRELATION_ID, correlationId);
            set |= 1;
        }
        String traceparent = headers.get(MessagingHeaders.TRACEPARENT);
        if (traceparent != null) {
            MDC.put(MDC_TRACEPARENT, traceparent);
            set |= 2;
        }
        return set;
    }

    /** Clears what {@link #restore} put for one message. */
    static void clear(int restored) {
        if ((restored & 1) != 0) {
            MDC.remove(MDC_CORRELATION_ID);
        }
        if ((restored & 2) != 0) {
            MDC.remove(MDC_TRACEPARENT);
        }
    }
}
