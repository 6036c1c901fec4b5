package dev.flotilla.reliability;

import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a refusal of hostile input must look like: a 4xx {@code application/problem+json} (RFC 9457) whose status
 * matches the response's and that has a title, with no stack frame, exception or class name, SQL or driver detail in
 * it, and no header the request tried to inject.
 */
final class CleanProblem {
    /** What must never be in a body: stack frames, exception class names, Java packages, the database. */
    static final Pattern INTERNALS = Pattern.compile(
            "Exception|\\bat [a-z]+\\.|\\.java:\\d|java\\.|javax\\.|io\\.helidon|com\\.fasterxml|dev\\.flotilla"
                    + "|org\\.h2|jdbc|SQL|Caused by");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CleanProblem() {
    }

    /** Why a response is not a clean 4xx problem, or {@code null} when it is one. */
    static String whyNot(RawHttp.Response response) {
        if (response.status() < 400 || response.status() > 499) {
            return "status " + response.status();
        }
        if (!response.contentType().startsWith("application/problem+json")) {
            return "content type '" + response.contentType() + "'";
        }
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node.path("status").asInt() != response.status() || !node.hasNonNull("title")) {
                return "problem without matching status and title";
            }
        } catch (Exception e) {
            return "body is not JSON";
        }
        if (leaks(response)) {
            return "internal detail in the body";
        }
        if (response.headers().containsKey("injected") || response.headers().containsKey("set-cookie")
                || response.headers().values().stream().anyMatch(v -> v.toLowerCase(Locale.ROOT)
                        .contains("injected"))) {
            return "an injected header came back";
        }
        return null;
    }

    /** Whether a body shows internals. */
    static boolean leaks(RawHttp.Response response) {
        return INTERNALS.matcher(response.body()).find();
    }

    /** A body on one line, cut at 300 characters. */
    static String abbreviate(String body) {
        String oneLine = body.replace("\r", "\\r").replace("\n", "\\n");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
