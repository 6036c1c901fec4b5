package dev.flotilla.core.http;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * The parts of one call that do not depend on the instance: the path with its values (decoded, as Helidon keeps
 * a path), the query (encoded), the header values by argument index (null without header parameters), the body.
 */
record CallRequest(String path, String[] pathValues, String query, String[] headers, Object body) {
    /**
     * The longest path and query, encoded, that a call sends: a Flotilla service (Helidon) reads a request line of
     * at most 4 KiB and answers a longer one with 414. Such a request is not sent, because the server answers before
     * reading it all and closes the connection, so the client, still writing, often sees a broken connection instead
     * of the 414: a failure it would retry and count against the instance's breaker, for what is the caller's value.
     */
    static final int MAX_TARGET_LENGTH = 4000;
    /** The most characters one character of a value becomes once encoded: {@code %XX} for each of 3 UTF-8 bytes. */
    private static final int MAX_ENCODED_PER_CHAR = 9;

    static CallRequest of(CallRoute route, Object[] args) {
        Endpoint endpoint = route.endpoint;
        StringBuilder query = null;
        String[] headers = route.hasHeaders ? new String[args.length] : null;
        String[] pathValues = new String[route.pathArgs.length];
        Object body = null;
        List<Endpoint.Param> params = endpoint.params();
        for (int i = 0; i < params.size(); i++) {
            Endpoint.Param param = params.get(i);
            Object value = args[i];
            switch (param.kind()) {
                case PATH -> {
                    if (value == null) {
                        throw new IllegalArgumentException("Path parameter '" + param.name() + "' must not be null"
                                + "\n    for method " + endpoint);
                    }
                    String text = ValueConverter.toText(value);
                    if (text.indexOf('/') >= 0 || text.isEmpty() || text.equals(".") || text.equals("..")) {
                        // Servers decode %2F before routing, so such a value would change the route.
                        throw new IllegalArgumentException("Path parameter '" + param.name() + "' must be a "
                                + "non-empty path segment without '/', was '" + text + "'\n    for method "
                                + endpoint);
                    }
                    for (int p = 0; p < route.pathArgs.length; p++) {
                        if (route.pathArgs[p] == i) {
                            pathValues[p] = text;
                        }
                    }
                }
                case QUERY -> {
                    if (value == null) {
                        continue;
                    }
                    Collection<?> values = value instanceof Collection<?> c ? c : List.of(value);
                    for (Object v : values) {
                        if (v != null) {
                            if (query == null) {
                                query = new StringBuilder();
                            }
                            query.append(query.isEmpty() ? "" : "&").append(encode(param.name())).append('=')
                                    .append(encode(ValueConverter.toText(v)));
                        }
                    }
                }
                case HEADER -> {
                    if (value != null) {
                        String text = ValueConverter.toText(value);
                        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
                            throw new IllegalArgumentException("Header '" + param.name()
                                    + "' must not contain line breaks\n    for method " + endpoint);
                        }
                        headers[i] = text;
                    }
                }
                case BODY -> body = value;
            }
        }
        CallRequest request = new CallRequest(path(route, pathValues, false), pathValues,
                                              query == null ? "" : query.toString(), headers, body);
        // Exact only when it could matter: an ordinary path cannot come near the limit even fully encoded.
        if (request.path.length() * MAX_ENCODED_PER_CHAR + request.query.length() > MAX_TARGET_LENGTH) {
            int length = request.encodedPath(route).length() + request.query.length();
            if (length > MAX_TARGET_LENGTH) {
                throw new IllegalArgumentException("The path and query are " + length + " characters once encoded, "
                        + "over the " + MAX_TARGET_LENGTH + " a service reads (it would answer 414); not sent"
                        + "\n    for method " + endpoint);
            }
        }
        return request;
    }

    /** The template with the values: as they are (decoded) or encoded as path segments. */
    private static String path(CallRoute route, String[] values, boolean encoded) {
        String[] parts = route.pathParts;
        if (parts.length == 1) {
            return parts[0];
        }
        StringBuilder path = new StringBuilder(64);
        for (int p = 0; p < values.length; p++) {
            path.append(parts[p]).append(encoded ? encodePathSegment(values[p]) : values[p]);
        }
        return path.append(parts[parts.length - 1]).toString();
    }

    String encodedPath(CallRoute route) {
        return path(route, pathValues, true);
    }

    /** The full URI of a call with a query: the instance's base, the encoded path and the query. */
    URI uri(CallRoute route, URI instance) {
        String base = instance.getRawPath() == null ? "" : instance.getRawPath();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(instance.getScheme() + "://" + instance.getRawAuthority() + base + encodedPath(route)
                                  + (query.isEmpty() ? "" : "?" + query));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePathSegment(String text) {
        return encode(text).replace("%7E", "~");
    }
}
