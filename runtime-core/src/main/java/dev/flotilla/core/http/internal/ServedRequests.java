package dev.flotilla.core.http.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.helidon.common.GenericType;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.http.media.EntityWriter;
import io.helidon.http.media.MediaContext;

/**
 * What the runtime gives the handlers of one service's requests: the listener of deprecated calls, and the
 * service's JSON writing. The runtime's request filter makes the service's one {@link #current()} on the request's
 * thread while the request is routed (like the MDC; Helidon runs a request's filters and handler on one thread), and
 * served contracts use it. Not through the request's Helidon context: reading that creates a context for every
 * request (a lock, a map: about a kilobyte). Not API: may change without notice. Thread-safe.
 */
public final class ServedRequests {
    /** The one of the service whose request runs on this thread, if any; thread-confined like the MDC. */
    private static final ThreadLocal<ServedRequests> CURRENT = new ThreadLocal<>();

    private final DeprecatedCallListener deprecatedCalls;
    private final ObjectMapper json;
    private final MediaContext media;
    private final boolean securityOn;
    private final boolean canAuthenticate;
    private final boolean bearerTokens;
    /** Per body class: the writer of its JSON, or null when the service's media support would not write it as JSON. */
    private final Map<Class<?>, Writer> writers = new ConcurrentHashMap<>();

    private record Writer(ObjectWriter writer) {
    }

    /**
     * Makes the services of one service's requests.
     *
     * @param deprecatedCalls told of every call to a deprecated contract method
     * @param json            the service's JSON mapper, the one its media support writes bodies with
     * @param media           the media support the service's server writes bodies with
     * @throws NullPointerException if an argument is {@code null}
     */
    public ServedRequests(DeprecatedCallListener deprecatedCalls, ObjectMapper json, MediaContext media) {
        this(deprecatedCalls, json, media, false, false, false);
    }

    /**
     * Makes the services of one service's requests, with its security settings.
     *
     * @param deprecatedCalls told of every call to a deprecated contract method
     * @param json            the service's JSON mapper, the one its media support writes bodies with
     * @param media           the media support the service's server writes bodies with
     * @param securityOn      whether methods without {@code @Access} or {@code @Anonymous} require an authenticated
     *                        caller
     * @param canAuthenticate whether the service can authenticate any caller
     * @param bearerTokens    whether the service verifies JWT bearer tokens
     * @throws NullPointerException if an argument is {@code null}
     */
    public ServedRequests(DeprecatedCallListener deprecatedCalls, ObjectMapper json, MediaContext media,
                          boolean securityOn, boolean canAuthenticate, boolean bearerTokens) {
        this.deprecatedCalls = Objects.requireNonNull(deprecatedCalls, "deprecatedCalls");
        this.json = Objects.requireNonNull(json, "json");
        this.media = Objects.requireNonNull(media, "media");
        this.securityOn = securityOn;
        this.canAuthenticate = canAuthenticate;
        this.bearerTokens = bearerTokens;
    }

    /**
     * Whether the service authenticates its callers, so that a method without {@code @Access} or
     * {@code @Anonymous} requires an authenticated caller.
     *
     * @return whether security is on
     */
    public boolean securityOn() {
        return securityOn;
    }

    /**
     * Whether the service can authenticate any caller at all.
     *
     * @return {@code false} when every caller is anonymous
     */
    public boolean canAuthenticate() {
        return canAuthenticate;
    }

    /**
     * Whether the service verifies JWT bearer tokens (its 401 answers then say {@code WWW-Authenticate: Bearer}).
     *
     * @return whether JWTs are configured
     */
    public boolean bearerTokens() {
        return bearerTokens;
    }

    /**
     * The one of the service whose request is being routed on this thread.
     *
     * @return it, or {@code null} outside a request of a Flotilla service
     */
    public static ServedRequests current() {
        return CURRENT.get();
    }

    /**
     * Makes this the current one on this thread, until {@link #restore} puts back what it returns.
     *
     * @return the one that was current before, or {@code null}
     */
    public ServedRequests enter() {
        ServedRequests previous = CURRENT.get();
        CURRENT.set(this);
        return previous;
    }

    /**
     * Puts back what {@link #enter()} returned.
     *
     * @param previous the value {@link #enter()} returned
     */
    public static void restore(ServedRequests previous) {
        // set, not remove: a connection's thread routes one request after another
        CURRENT.set(previous);
    }

    /**
     * The listener of deprecated calls.
     *
     * @return the listener
     */
    public DeprecatedCallListener deprecatedCalls() {
        return deprecatedCalls;
    }

    /**
     * The body as the JSON bytes the service's media support writes for it when the request accepts JSON and the
     * response has no content type yet: UTF-8, by the mapper's writer for the body's class (made once per class).
     *
     * @param body the response body
     * @return the bytes, or {@code null} when the media support would not write this class as JSON (a
     *         {@code String}, bytes, a stream...): send such a body through the media support
     * @throws JsonProcessingException if the body cannot be written as JSON
     */
    public byte[] jsonOrNull(Object body) throws JsonProcessingException {
        Class<?> type = body.getClass();
        Writer writer = writers.get(type);
        if (writer == null) {
            writer = writers.computeIfAbsent(type, t -> writerOf(t, body));
        }
        return writer.writer() == null ? null : writer.writer().writeValueAsBytes(body);
    }

    /**
     * The mapper's writer for a class when the media support writes its first body exactly as that writer does:
     * the same bytes, with {@code Content-Type: application/json} and nothing else, for a request without
     * {@code Accept}; otherwise none (the media support keeps writing that class).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Writer writerOf(Class<?> type, Object sample) {
        try {
            GenericType generic = GenericType.create(type);
            EntityWriter chosen = media.writer(generic, WritableHeaders.create(), WritableHeaders.create());
            WritableHeaders<?> headers = WritableHeaders.create();
            ByteArrayOutputStream helidon = new ByteArrayOutputStream();
            chosen.write(generic, sample, helidon, WritableHeaders.create(), headers);
            ObjectWriter writer = json.writerFor(type);
            boolean same = Arrays.equals(helidon.toByteArray(), writer.writeValueAsBytes(sample))
                    && headers.size() == 1
                    && headers.contains(HeaderValues.CONTENT_TYPE_JSON);
            return new Writer(same ? writer : null);
        } catch (IOException | RuntimeException e) {
            return new Writer(null);
        }
    }

    /**
     * Told of every call to a deprecated contract method, so the runtime can count it as a metric. The runtime puts
     * one in each request's context; served contracts call it.
     */
    @FunctionalInterface
    public interface DeprecatedCallListener {

        /**
         * A deprecated operation was called.
         *
         * @param operation the operation, such as {@code GET /v1/items/{id}}
         * @param caller    the calling service's name, or {@code unknown}
         */
        void deprecatedCall(String operation, String caller);
    }
}
