package dev.flotilla.core.server;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import org.slf4j.Logger;
import dev.flotilla.core.Service;
import dev.flotilla.core.http.Body;
import dev.flotilla.core.observability.CallContext;

/**
 * Turns failures into {@link Problem}s and problems into {@code application/problem+json} bytes. One per service
 * instance; thread-safe.
 */
final class ProblemResponses {
    static final int MAX_INSTANCE_LENGTH = 256;

    private final ObjectMapper json;
    private final Logger log;

    ProblemResponses(ObjectMapper json, Logger log) {
        this.json = json;
        this.log = log;
    }

    ObjectMapper json() {
        return json;
    }

    /** A fresh correlation id. Not a secure random: ids are for correlation, not for secrets. */

    static String safeInstance(String path) {
        if (path == null) {
            return null;
        }
        return path.length() > MAX_INSTANCE_LENGTH ? path.substring(0, MAX_INSTANCE_LENGTH) : path;
    }

    /**
     * The problem a handler's exception becomes. Logs it: 5xx at ERROR with the stack trace (never sent), 4xx at
     * DEBUG.
     */
    Problem fromException(Throwable e, String method, String path, String requestId) {
        Problem problem = classify(e);
        if (problem.status() == 500 && deadlineRanOut()) {
            // The caller's budget is spent: what failed is most likely its consequence (a downstream call cut short
            // or refused at once), and the caller waits for nothing more than that fact. Not a fault of this
            // service, so no stack trace at ERROR.
            log.warn("{} {} answered 504: its deadline ran out ({})", method, safeInstance(path), e.toString());
            return deadlineExceeded().withRequest(safeInstance(path), requestId);
        }
        if (problem.status() >= 500) {
            log.error("{} {} failed with {} ({})", method, safeInstance(path), problem.status(), problem.title(), e);
        } else if (log.isDebugEnabled()) {
            log.debug("{} {} answered {}: {}", method, safeInstance(path), problem.status(), e.toString());
        }
        return problem.withRequest(safeInstance(path), requestId);
    }

    private static Problem classify(Throwable e) {
        if (e instanceof ProblemException pe) {
            return pe.problem();
        }
        JsonProcessingException jsonError = findCause(e, JsonProcessingException.class);
        if (jsonError != null) {
            return fromJson(jsonError);
        }
        if (e instanceof HttpException he) {
            int status = he.status().code();
            if (status >= 500) {
                return internalError();
            }
            return Problem.of(slugFor(status), status, he.status().reasonPhrase(), he.getMessage());
        }
        return internalError();
    }

    /**
     * Whether the request being handled came with a deadline ({@value CallContext#DEADLINE_HEADER}) that has run
     * out: less than a millisecond left, the header's unit, counts as run out, as it does for a call sent on.
     */
    private static boolean deadlineRanOut() {
        CallContext call = CallContext.current().orElse(null);
        return call != null && call.deadline().map(d -> d.remaining().toMillis() == 0).orElse(false);
    }

    static Problem deadlineExceeded() {
        return Problem.of("deadline-exceeded", 504, "Gateway Timeout",
                          "The request's deadline (" + CallContext.DEADLINE_HEADER + ") ran out before it could be "
                                  + "answered.");
    }

    static Problem internalError() {
        return Problem.of("internal-error", 500, "Internal Server Error",
                          "The service failed to handle the request; quote the requestId when reporting it.");
    }

    static Problem notFound() {
        return Problem.of("not-found", 404, "Not Found", "No endpoint matches this path.");
    }

    static Problem methodNotAllowed(Set<Method> allowed) {
        StringJoiner names = new StringJoiner(", ");
        allowed.forEach(m -> names.add(m.text()));
        return Problem.of("method-not-allowed", 405, "Method Not Allowed",
                          "This path accepts only: " + names + ".");
    }

    static Problem payloadTooLarge() {
        return Problem.of("payload-too-large", 413, "Payload Too Large",
                          "The request body is larger than this service accepts.");
    }

    static Problem draining() {
        return Problem.of("unavailable", 503, "Service Unavailable",
                          "The service is shutting down; retry on another instance.");
    }

    static String slugFor(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 422 -> "unprocessable-content";
            case 429 -> "too-many-requests";
            case 503 -> "unavailable";
            default -> "http-" + status;
        };
    }

    private static Problem fromJson(JsonProcessingException e) {
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = fieldPath(mismatch);
            String expected = mismatch.getTargetType() == null ? "another type"
                    : mismatch.getTargetType().getSimpleName();
            return Problem.of("invalid-body", 400, "Invalid Request Body",
                              "Field '" + field + "' has a value of the wrong type or form (expected " + expected + ").")
                    .withExtension("field", field);
        }
        if (e instanceof JsonMappingException) {
            // Valid JSON of the wrong form (an array, a string...): Jackson's message names our classes.
            return Problem.of("invalid-body", 400, "Invalid Request Body",
                              "The request body is valid JSON but not of the expected form: send a JSON object "
                                      + "with the operation's fields.");
        }
        JsonLocation location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        String reason = e.getOriginalMessage();
        if (reason != null) {
            // Jackson quotes parts of the input; keep the first line and cap its length.
            int newline = reason.indexOf('\n');
            reason = newline < 0 ? reason : reason.substring(0, newline);
            // Limits are reported with the name of the Jackson setting in backquotes: not the caller's business.
            reason = reason.replaceAll("\\s*\\([^()]*`[^`]*`[^()]*\\)", "").replaceAll("`[^`]*`", "a limit");
            reason = reason.length() > 200 ? reason.substring(0, 200) + "..." : reason;
        }
        return Problem.of("malformed-json", 400, "Malformed JSON",
                          "The request body is not valid JSON" + where + (reason == null ? "." : ": " + reason));
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        Throwable current = e;
        for (int depth = 0; current != null && depth < 10; depth++) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            current = current.getCause();
        }
        return null;
    }

    /** The problem as JSON bytes; the standard members first, then the extensions. */
    byte[] toJson(Problem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type().toString());
        body.put("title", problem.title());
        body.put("status", problem.status());
        if (problem.detail() != null) {
            body.put("detail", problem.detail());
        }
        if (problem.instance() != null) {
            body.put("instance", problem.instance());
        }
        if (problem.requestId() != null) {
            body.put("requestId", problem.requestId());
        }
        problem.extensions().forEach(body::putIfAbsent);
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            log.error("Could not serialize a problem of type {}", problem.type(), e);
            return ("{\"type\":\"urn:flotilla:problem:internal-error\",\"title\":\"Internal Server Error\",\"status\":"
                    + problem.status() + "}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
