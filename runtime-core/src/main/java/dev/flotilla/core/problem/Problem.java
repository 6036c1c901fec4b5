package dev.flotilla.core.problem;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An RFC 9457 problem detail: what every failure reaching an HTTP caller looks like, as
 * {@code application/problem+json}.
 *
 * <p>{@code type} is a stable URI naming the kind of problem ({@code urn:flotilla:problem:not-found} and the like);
 * {@code title} a short summary that does not change between occurrences; {@code detail} what went wrong this time;
 * {@code instance} the request path; {@code requestId} the correlation id of the request. Extension members (for
 * example {@code errors} for field validation) go in {@link #extensions()}.
 *
 * @param type       the problem type URI; never {@code null}
 * @param title      a short, stable summary; never {@code null}
 * @param status     the HTTP status code, 100 to 599
 * @param detail     an explanation of this occurrence; may be {@code null}
 * @param instance   the request path or another URI for this occurrence; may be {@code null}
 * @param requestId  the request's correlation id; may be {@code null}
 * @param extensions extra members, serialized beside the standard ones; never {@code null}
 */
public record Problem(URI type,
                      String title,
                      int status,
                      String detail,
                      String instance,
                      String requestId,
                      Map<String, Object> extensions) {

    /** The media type of problem responses: {@value}. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * Validates and copies the members.
     *
     * @throws NullPointerException     if {@code type}, {@code title} or {@code extensions} is {@code null}
     * @throws IllegalArgumentException if {@code status} is not between 100 and 599
     */
    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(extensions, "extensions");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be between 100 and 599, was " + status);
        }
        extensions = Map.copyOf(extensions);
    }

    /**
     * A problem of a Flotilla-defined type, {@code urn:flotilla:problem:<slug>}.
     *
     * @param slug   the type's short name, such as {@code not-found}
     * @param status the HTTP status code
     * @param title  the short, stable summary
     * @param detail what went wrong this time; may be {@code null}
     * @return the problem, without instance or request id
     * @throws NullPointerException     if {@code slug} or {@code title} is {@code null}
     * @throws IllegalArgumentException if {@code status} is out of range
     */
    public static Problem of(String slug, int status, String title, String detail) {
        Objects.requireNonNull(slug, "slug");
        return new Problem(typeUri(slug), title, status, detail, null, null, Map.of());
    }

    /**
     * The problem an exception class annotated {@link ProblemType} stands for.
     *
     * @param type   the annotation
     * @param detail what went wrong this time; may be {@code null}
     * @return the problem, without instance or request id
     * @throws NullPointerException     if {@code type} is {@code null}
     * @throws IllegalArgumentException if its status is not between 400 and 599, or its type is not a URI
     */
    public static Problem of(ProblemType type, String detail) {
        Objects.requireNonNull(type, "type");
        if (type.status() < 400 || type.status() > 599) {
            throw new IllegalArgumentException("@ProblemType status must be between 400 and 599, was "
                                                       + type.status());
        }
        URI uri = type.type().indexOf(':') >= 0 ? URI.create(type.type()) : typeUri(type.type());
        return new Problem(uri, type.title(), type.status(), detail, null, null, Map.of());
    }

    /**
     * The URI of a Flotilla-defined problem type.
     *
     * @param slug the type's short name, such as {@code not-found}
     * @return {@code urn:flotilla:problem:<slug>}
     * @throws IllegalArgumentException if the slug is not a valid URN part
     */
    public static URI typeUri(String slug) {
        return URI.create("urn:flotilla:problem:" + slug);
    }

    /**
     * A copy with the given instance and request id.
     *
     * @param instance  the request path; may be {@code null}
     * @param requestId the correlation id; may be {@code null}
     * @return the copy
     */
    public Problem withRequest(String instance, String requestId) {
        return new Problem(type, title, status, detail, instance, requestId, extensions);
    }

    /**
     * A copy with one more extension member.
     *
     * @param name  the member's name; must not be one of the standard members
     * @param value the member's value, serializable as JSON
     * @return the copy
     * @throws NullPointerException     if {@code name} or {@code value} is {@code null}
     * @throws IllegalArgumentException if {@code name} is a standard member's name
     */
    public Problem withExtension(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (Map.of("type", 0, "title", 0, "status", 0, "detail", 0, "instance", 0, "requestId", 0).containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is a standard problem member, not an extension");
        }
        Map<String, Object> copy = new LinkedHashMap<>(extensions);
        copy.put(name, value);
        return new Problem(type, title, status, detail, instance, requestId, copy);
    }

    /**
     * The detail, if any.
     *
     * @return the detail; empty when there is none
     */
    public Optional<String> detailText() {
        return Optional.ofNullable(detail);
    }
}
