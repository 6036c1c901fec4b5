package dev.flotilla.core.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import dev.flotilla.core.problem.ProblemException;

/**
 * An HTTP response with its status and headers, for contract methods that need more than the body: a client gets
 * one back from a successful (2xx) call, and a served method returns one to choose its status and headers.
 *
 * <pre>{@code
 * @Post("/v1/users")
 * HttpResult<User> create(@Body NewUser user);
 *
 * // serving it:
 * return HttpResult.created(user).withHeader("Location", "/v1/users/" + user.id());
 * }</pre>
 *
 * Immutable and thread-safe. Header names are matched without regard to case.
 *
 * @param <T> the body's type
 */
public final class HttpResult<T> {
    private final int status;
    private final Map<String, List<String>> headers;
    private final T body;

    private HttpResult(int status, Map<String, List<String>> headers, T body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /**
     * A result with the given status and body.
     *
     * @param status the status code, 200 to 299
     * @param body   the body; {@code null} for none
     * @param <T>    the body's type
     * @return the result
     * @throws IllegalArgumentException if {@code status} is not a 2xx code
     */
    public static <T> HttpResult<T> of(int status, T body) {
        if (status < 200 || status > 299) {
            throw new IllegalArgumentException("An HttpResult is a success: status must be 200 to 299, was " + status
                    + " (throw a ProblemException for failures)");
        }
        return new HttpResult<>(status, Map.of(), body);
    }

    /**
     * 200 with a body.
     *
     * @param body the body
     * @param <T>  the body's type
     * @return the result
     */
    public static <T> HttpResult<T> ok(T body) {
        return of(200, body);
    }

    /**
     * 201 with a body.
     *
     * @param body the created resource
     * @param <T>  the body's type
     * @return the result
     */
    public static <T> HttpResult<T> created(T body) {
        return of(201, body);
    }

    /**
     * 202 with a body.
     *
     * @param body a description of the accepted work
     * @param <T>  the body's type
     * @return the result
     */
    public static <T> HttpResult<T> accepted(T body) {
        return of(202, body);
    }

    /**
     * 204, no body.
     *
     * @param <T> the body's type
     * @return the result
     */
    public static <T> HttpResult<T> noContent() {
        return of(204, null);
    }

    static <T> HttpResult<T> received(int status, Map<String, List<String>> headers, T body) {
        return new HttpResult<>(status, Map.copyOf(headers), body);
    }

    /**
     * A copy with one more header value.
     *
     * @param name  the header name
     * @param value the value
     * @return the copy
     * @throws NullPointerException if {@code name} or {@code value} is {@code null}
     */
    public HttpResult<T> withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, List<String>> copy = new LinkedHashMap<>(headers);
        copy.merge(name.toLowerCase(java.util.Locale.ROOT), List.of(value), (a, b) -> {
            List<String> joined = new java.util.ArrayList<>(a);
            joined.addAll(b);
            return List.copyOf(joined);
        });
        return new HttpResult<>(status, Map.copyOf(copy), body);
    }

    /**
     * The status code.
     *
     * @return the code, 200 to 299
     */
    public int status() {
        return status;
    }

    /**
     * The body.
     *
     * @return the body; empty when there is none
     */
    public Optional<T> body() {
        return Optional.ofNullable(body);
    }

    /**
     * Every value of a header.
     *
     * @param name the header name, in any case
     * @return the values; empty when the header is absent
     */
    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
    }

    /**
     * The first value of a header.
     *
     * @param name the header name, in any case
     * @return the value; empty when the header is absent
     */
    public Optional<String> header(String name) {
        return headers(name).stream().findFirst();
    }

    /**
     * All headers, names in lower case.
     *
     * @return the headers
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    @Override
    public String toString() {
        return "HttpResult[" + status + (body == null ? "" : ", " + body) + "]";
    }
}
