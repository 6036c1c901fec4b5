package dev.flotilla.core.observability;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.flotilla.core.security.Caller;
import dev.flotilla.resilience.Deadline;
import org.slf4j.MDC;

/**
 * What travels with a call from service to service: the correlation id, the W3C trace context and the caller's
 * deadline, plus the name of the service handling it and its verified {@link Caller}.
 *
 * <p>The runtime opens a context for every HTTP request (from the {@code X-Request-Id}, {@code traceparent},
 * {@code tracestate} and {@code X-Request-Deadline-Ms} headers) and messaging opens one for every handled message;
 * typed clients and publishers read {@link #current()} to propagate it. While a context is open on a thread, the MDC
 * holds {@link #MDC_SERVICE}, {@link #MDC_CORRELATION_ID} and, when a trace is known,
 * {@link #MDC_TRACE_ID} and {@link #MDC_SPAN_ID}, and, when the caller was verified, {@link #MDC_USER} and
 * {@link #MDC_CALLER_SERVICE} (never a credential).
 *
 * <p>The current context is thread-confined (like the MDC): work handed to another thread takes it along with
 * {@link #wrap(Callable)} or {@link #wrap(Runnable)}. Instances are immutable and thread-safe.
 */
public final class CallContext {

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
    /** MDC key with the verified user's subject, when the caller was authenticated as a user: {@value}. */
    public static final String MDC_USER = "user";
    /** MDC key with the verified calling service, when the caller was authenticated as a service: {@value}. */
    public static final String MDC_CALLER_SERVICE = "callerService";

    /**
     * A fresh correlation id: a random UUID.
     *
     * @return the id
     */
    public static String newCorrelationId() {
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
    public static boolean isValidCorrelationId(String candidate) {
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

    /**
     * HTTP and message header with the caller's remaining time budget in whole milliseconds: {@value}. Read it with
     * {@link #receivedDeadline(String)}.
     */
    public static final String DEADLINE_HEADER = "X-Request-Deadline-Ms";
    /** The W3C trace context header: {@value}. */
    public static final String TRACEPARENT_HEADER = "traceparent";
    /** The W3C trace state header: {@value}. */
    public static final String TRACESTATE_HEADER = "tracestate";

    private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();

    private final String service;
    private final String correlationId;
    private final String traceParent;
    private final String traceState;
    private final Deadline deadline;
    /** Null for the anonymous caller. */
    private final Caller caller;

    private CallContext(String service, String correlationId, String traceParent, String traceState,
                        Deadline deadline) {
        this(service, correlationId, traceParent, traceState, deadline, null);
    }

    private CallContext(String service, String correlationId, String traceParent, String traceState,
                        Deadline deadline, Caller caller) {
        this.service = service;
        this.correlationId = correlationId;
        this.traceParent = traceParent;
        this.traceState = traceState;
        this.deadline = deadline;
        this.caller = caller;
    }

    /**
     * A context for the given service and correlation id, with no trace and no deadline.
     *
     * @param service       the name of the service handling the call
     * @param correlationId the correlation id; an invalid one (see {@link #isValidCorrelationId(String)}) is
     *                      replaced by a fresh id
     * @return the context
     * @throws NullPointerException if {@code service} is {@code null}
     */
    public static CallContext of(String service, String correlationId) {
        Objects.requireNonNull(service, "service");
        String id = isValidCorrelationId(correlationId) ? correlationId : newCorrelationId();
        return new CallContext(service, id, null, null, null);
    }

    /**
     * The context of one received request or message, made at once: what {@code of(service, correlationId)
     * .withTrace(traceParent, traceState).withDeadline(deadline)} makes, with one object and one check of the
     * {@code traceparent} instead of three objects and two checks. An invalid correlation id is replaced by a fresh
     * one, and an invalid {@code traceparent} is dropped with its {@code tracestate}.
     *
     * @param service the receiving service's name
     * @param correlationId the received correlation id; may be {@code null}
     * @param traceParent the received W3C {@code traceparent}; may be {@code null}
     * @param traceState the received W3C {@code tracestate}; may be {@code null}
     * @param deadline the caller's deadline; may be {@code null}
     * @return the context
     * @throws NullPointerException if {@code service} is {@code null}
     */
    public static CallContext received(String service, String correlationId, String traceParent, String traceState,
                                Deadline deadline) {
        Objects.requireNonNull(service, "service");
        String id = isValidCorrelationId(correlationId) ? correlationId : newCorrelationId();
        if (!isTraceParent(traceParent)) {
            return new CallContext(service, id, null, null, deadline);
        }
        return new CallContext(service, id, traceParent, validState(traceState), deadline);
    }

    /**
     * The deadline a received {@value #DEADLINE_HEADER} value stands for: that many milliseconds from now, so the
     * budget is counted from when the request was received (relative, not a point in time: the clocks of two hosts
     * need not agree). {@code 0} gives a deadline that has already run out.
     *
     * @param millis the header's value; may be {@code null}
     * @return the deadline; empty when the value is absent or not 0 to 12 decimal digits (an invalid value is
     *         ignored, as if the caller had set no deadline)
     */
    public static Optional<Deadline> receivedDeadline(String millis) {
        if (millis == null || millis.isEmpty() || millis.length() > 12) {
            return Optional.empty();
        }
        for (int i = 0; i < millis.length(); i++) {
            char c = millis.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(Deadline.after(Duration.ofMillis(Long.parseLong(millis))));
    }

    private static String validState(String traceState) {
        return traceState == null || traceState.length() > 512 || traceState.indexOf('\n') >= 0 ? null : traceState;
    }

    /**
     * The context open on this thread.
     *
     * @return the context; empty outside a request or a message handler
     */
    public static Optional<CallContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * A copy with the given W3C trace context; a {@code traceparent} that is not well formed is dropped, and so is
     * the {@code tracestate} with it.
     *
     * @param traceParent the {@code traceparent} value; may be {@code null}
     * @param traceState  the {@code tracestate} value; may be {@code null}
     * @return the copy
     */
    public CallContext withTrace(String traceParent, String traceState) {
        if (!isTraceParent(traceParent)) {
            return new CallContext(service, correlationId, null, null, deadline, caller);
        }
        return new CallContext(service, correlationId, traceParent, validState(traceState), deadline, caller);
    }

    /** Whether a value is a well-formed W3C {@code traceparent} (version 00 layout). */
    static boolean isTraceParent(String value) {
        if (value == null || value.length() != 55) {
            return false;
        }
        for (int i = 0; i < 55; i++) {
            char c = value.charAt(i);
            boolean ok = i == 2 || i == 35 || i == 52 ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * A copy with the given deadline.
     *
     * @param deadline the deadline; may be {@code null} for none
     * @return the copy
     */
    public CallContext withDeadline(Deadline deadline) {
        return new CallContext(service, correlationId, traceParent, traceState, deadline, caller);
    }

    /**
     * A copy with the given verified caller. Only the runtime verifies callers: a context made with a caller by
     * application code claims what it claims, nothing more.
     *
     * @param caller the caller
     * @return the copy
     * @throws NullPointerException if {@code caller} is {@code null}
     */
    public CallContext withCaller(Caller caller) {
        Objects.requireNonNull(caller, "caller");
        return new CallContext(service, correlationId, traceParent, traceState, deadline,
                               caller.authenticated() ? caller : null);
    }

    /**
     * Who made the call being handled, as the receiving service verified it.
     *
     * @return the caller; {@link Caller#anonymous()} when no credential was verified
     */
    public Caller caller() {
        return caller == null ? Caller.anonymous() : caller;
    }

    /**
     * The name of the service handling the call.
     *
     * @return the name
     */
    public String service() {
        return service;
    }

    /**
     * The correlation id.
     *
     * @return the id; always well formed
     */
    public String correlationId() {
        return correlationId;
    }

    /**
     * The W3C {@code traceparent}.
     *
     * @return the value; empty when no trace is known
     */
    public Optional<String> traceParent() {
        return Optional.ofNullable(traceParent);
    }

    /**
     * The W3C {@code tracestate}.
     *
     * @return the value; empty when none was received
     */
    public Optional<String> traceState() {
        return Optional.ofNullable(traceState);
    }

    /**
     * The caller's deadline.
     *
     * @return the deadline; empty when the caller set none
     */
    public Optional<Deadline> deadline() {
        return Optional.ofNullable(deadline);
    }

    /**
     * Makes this the current context of this thread and fills the MDC, until the returned scope is closed, which
     * restores what was there before.
     *
     * @return the scope to close, in a try-with-resources
     */
    public Scope open() {
        CallContext previous = CURRENT.get();
        String previousService = MDC.get(CallContext.MDC_SERVICE);
        String previousCorrelation = MDC.get(CallContext.MDC_CORRELATION_ID);
        String previousTrace = MDC.get(CallContext.MDC_TRACE_ID);
        String previousSpan = MDC.get(CallContext.MDC_SPAN_ID);
        CURRENT.set(this);
        // Only what changes is written, and only what was written is restored: a thread that belongs to one service
        // (a subscription's) keeps the service's name, and a context without a trace on a thread without one
        // touches no trace key (a Logback MDC write or removal costs two thread-local look-ups and a map operation).
        boolean serviceChanged = !service.equals(previousService);
        if (serviceChanged) {
            MDC.put(CallContext.MDC_SERVICE, service);
        }
        MDC.put(CallContext.MDC_CORRELATION_ID, correlationId);
        String user = caller == null ? null : caller.user().orElse(null);
        String callerService = caller == null ? null : caller.service().orElse(null);
        String previousUser = MDC.get(CallContext.MDC_USER);
        String previousCallerService = MDC.get(CallContext.MDC_CALLER_SERVICE);
        boolean callerChanged = user != null || callerService != null || previousUser != null
                || previousCallerService != null;
        if (callerChanged) {
            put(CallContext.MDC_USER, user);
            put(CallContext.MDC_CALLER_SERVICE, callerService);
        }
        boolean traceChanged;
        if (traceParent != null) {
            MDC.put(CallContext.MDC_TRACE_ID, traceParent.substring(3, 35));
            MDC.put(CallContext.MDC_SPAN_ID, traceParent.substring(36, 52));
            traceChanged = true;
        } else {
            traceChanged = previousTrace != null || previousSpan != null;
            if (previousTrace != null) {
                MDC.remove(CallContext.MDC_TRACE_ID);
            }
            if (previousSpan != null) {
                MDC.remove(CallContext.MDC_SPAN_ID);
            }
        }
        return () -> {
            // set, not remove: a removed thread-local is created again by the next open() on this thread,
            // which a thread handling one message or request after another does every time
            CURRENT.set(previous);
            if (serviceChanged) {
                restore(CallContext.MDC_SERVICE, previousService);
            }
            restore(CallContext.MDC_CORRELATION_ID, previousCorrelation);
            if (traceChanged) {
                restore(CallContext.MDC_TRACE_ID, previousTrace);
                restore(CallContext.MDC_SPAN_ID, previousSpan);
            }
            if (callerChanged) {
                restore(CallContext.MDC_USER, previousUser);
                restore(CallContext.MDC_CALLER_SERVICE, previousCallerService);
            }
        };
    }

    private static void put(String key, String value) {
        restore(key, value);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /**
     * Wraps a task so that it runs with the context current now (if any), on whatever thread runs it.
     *
     * @param task the task
     * @param <T>  the task's result type
     * @return the wrapped task
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static <T> Callable<T> wrap(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CallContext captured = CURRENT.get();
        if (captured == null) {
            return task;
        }
        return () -> {
            Scope scope = captured.open();
            try {
                return task.call();
            } finally {
                scope.close();
            }
        };
    }

    /**
     * Wraps a task so that it runs with the context current now (if any), on whatever thread runs it.
     *
     * @param task the task
     * @return the wrapped task
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static Runnable wrap(Runnable task) {
        Objects.requireNonNull(task, "task");
        CallContext captured = CURRENT.get();
        if (captured == null) {
            return task;
        }
        return () -> {
            Scope scope = captured.open();
            try {
                task.run();
            } finally {
                scope.close();
            }
        };
    }

    @Override
    public String toString() {
        return "CallContext[service=" + service + ", correlationId=" + correlationId
                + (traceParent == null ? "" : ", traceparent=" + traceParent)
                + (deadline == null ? "" : ", deadline=" + deadline)
                + (caller == null ? "" : ", caller=" + caller) + "]";
    }

    /**
     * An open context; closing it restores the previous one. Not thread-safe: close it on the thread that opened it.
     */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        /** Restores the context and MDC that were current before {@link CallContext#open()}. */
        @Override
        void close();
    }
}
