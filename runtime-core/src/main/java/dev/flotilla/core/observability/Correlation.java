package dev.flotilla.core.observability;

/**
 * Names shared by every Flotilla module for correlating logs, requests and messages.
 *
 * <p>Every request runs with the MDC keys {@link #MDC_SERVICE} and {@link #MDC_CORRELATION_ID}; the correlation id is
 * taken from the {@link #REQUEST_ID_HEADER} request header when sent (and well formed), generated otherwise, and
 * echoed in the response.
 */
public final class Correlation {

    /** HTTP and message header that carries the correlation id: {@value}. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /** MDC key with the name of the service that writes the log line: {@value}. */
    public static final String MDC_SERVICE = "service";
    /** MDC key with the correlation id of the request or message being handled: {@value}. */
    public static final String MDC_CORRELATION_ID = "correlationId";
    /** MDC key with the W3C trace id, when a trace is known: {@value}. */
    public static final String MDC_TRACE_ID = "traceId";
    /** MDC key with the W3C span id, when a trace is known: {@value}. */
    public static final String MDC_SPAN_ID = "spanId";

    private Correlation() {
    }

    /**
     * A fresh correlation id: a random UUID.
     *
     * @return the id
     */
    public static String newId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
    }

    /**
     * Whether a correlation id received from outside is safe to adopt: 1 to 128 characters of letters, digits and
     * {@code - _ . : /}. Anything else (line breaks, quotes, control characters) is replaced by a fresh id, so a
     * header cannot inject text into logs or responses.
     *
     * @param candidate the received value; may be {@code null}
     * @return {@code true} if the value can be used as it is
     */
    public static boolean isValidId(String candidate) {
        if (candidate == null || candidate.isEmpty() || candidate.length() > 128) {
            return false;
        }
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
