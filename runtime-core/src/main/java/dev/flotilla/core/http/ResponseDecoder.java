package dev.flotilla.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.flotilla.core.problem.Problem;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.ClientResponseHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.media.ReadableEntity;
import io.helidon.webclient.api.HttpClientResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the responses of one downstream's calls into return values or typed exceptions: a 2xx body read as the
 * method's return type, any other status as problem details ({@link RemoteProblemException} and its subclasses, with
 * {@code Retry-After} when sent). Thread-safe.
 */
final class ResponseDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceClients.class);
    private static final int MAX_PROBLEM_BODY = 64 * 1024;
    /** The largest body (by its Content-Length) read into one array; longer or chunked ones are streamed by Helidon. */
    private static final int MAX_DIRECT_BODY = 1024 * 1024;
    /** Distinct Content-Type values remembered as JSON or not; more are parsed at every response. */
    private static final int MAX_CONTENT_TYPES = 32;

    private final String target;
    private final ObjectMapper json;
    /** Per Content-Type value: the charset to read a JSON body with, or empty when it is not JSON. */
    private final Map<String, Optional<Charset>> jsonCharsets = new ConcurrentHashMap<>();

    ResponseDecoder(String target, ObjectMapper json) {
        this.target = target;
        this.json = json;
    }

    Object decode(CallRoute route, HttpClientResponse response, int status) {
        Endpoint endpoint = route.endpoint;
        Endpoint.ReturnKind kind = endpoint.returnKind();
        if (kind == Endpoint.ReturnKind.VOID) {
            return null;
        }
        boolean hasBody = status != 204 && response.entity().hasEntity();
        Object body = null;
        if (hasBody) {
            try {
                body = readBody(route, response);
            } catch (IOException | RuntimeException e) {
                throw new ServiceCallException(target, target + " answered " + status + " with a body that is not a "
                        + endpoint.entityType().getTypeName() + ": " + e.getMessage(), e);
            }
        }
        return switch (kind) {
            case OPTIONAL -> Optional.ofNullable(body);
            case RESULT -> {
                Map<String, List<String>> headers = new LinkedHashMap<>();
                response.headers().forEach(h -> headers.put(h.name().toLowerCase(Locale.ROOT), h.allValues()));
                yield HttpResult.received(status, headers, body);
            }
            default -> {
                if (body == null) {
                    throw new ServiceCallException(target, target + " answered " + status + " without a body; "
                            + endpoint + " expects a " + endpoint.entityType().getTypeName(), null);
                }
                yield body;
            }
        };
    }

    /**
     * The body as the return type. A JSON body (the Content-Type says {@code application/json}, or there is none)
     * with a Content-Length of at most {@value #MAX_DIRECT_BODY} bytes is read with the mapper's reader for the type, made once per method, from the body's text in the charset of
     * the Content-Type (UTF-8 by default): what Helidon's Jackson media support does, without looking up a reader
     * and wrapping the stream in a charset decoder per response. Other media types go through Helidon's media
     * support as they always did.
     */
    private Object readBody(CallRoute route, HttpClientResponse response) throws IOException {
        ReadableEntity entity = response.entity();
        ObjectReader reader = route.reader(json);
        long length = response.headers().contentLength().orElse(-1L);
        Charset charset = reader == null || length < 0 || length > MAX_DIRECT_BODY ? null
                : jsonCharset(response.headers());
        if (charset == null) {
            return entity.as(route.endpoint.entityGenericType());
        }
        byte[] bytes;
        try (InputStream in = entity.inputStream()) {
            bytes = in.readNBytes((int) length);
        }
        return reader.readValue(new String(bytes, charset));
    }

    /** The charset a JSON body is read with (as Helidon's Jackson support reads it), or null when it is not JSON. */
    private Charset jsonCharset(ClientResponseHeaders headers) {
        if (!headers.contains(HeaderNames.CONTENT_TYPE)) {
            return StandardCharsets.UTF_8;
        }
        String value = headers.get(HeaderNames.CONTENT_TYPE).get();
        Optional<Charset> known = jsonCharsets.get(value);
        if (known == null) {
            known = jsonCharsetOf(value);
            if (jsonCharsets.size() < MAX_CONTENT_TYPES) {
                jsonCharsets.put(value, known);
            }
        }
        return known.orElse(null);
    }

    private static Optional<Charset> jsonCharsetOf(String contentType) {
        try {
            HttpMediaType type = HttpMediaType.create(contentType);
            if (!type.test(MediaTypes.APPLICATION_JSON)) {
                return Optional.empty();
            }
            return Optional.of(type.charset().map(Charset::forName).orElse(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // Unparseable or unknown: left to Helidon, which fails as it always did.
            return Optional.empty();
        }
    }

    RemoteProblemException problem(HttpClientResponse response, int status) {
        String text = "";
        if (response.entity().hasEntity()) {
            byte[] bytes = response.entity().as(byte[].class);
            text = new String(bytes, 0, Math.min(bytes.length, MAX_PROBLEM_BODY), StandardCharsets.UTF_8);
        }
        String reason = response.status().reasonPhrase();
        Problem problem = parseProblem(text, status, reason == null || reason.isBlank() ? "HTTP " + status : reason);
        Duration retryAfter = response.headers().first(HeaderNames.RETRY_AFTER).map(ResponseDecoder::retryAfter)
                .orElse(null);
        return switch (status) {
            case 400 -> new RemoteBadRequestException(target, problem, retryAfter);
            case 404 -> new RemoteNotFoundException(target, problem, retryAfter);
            case 409 -> new RemoteConflictException(target, problem, retryAfter);
            case 503 -> new RemoteUnavailableException(target, problem, retryAfter);
            default -> new RemoteProblemException(target, problem, retryAfter);
        };
    }

    private Problem parseProblem(String text, int status, String reason) {
        if (!text.isBlank()) {
            try {
                JsonNode node = json.readTree(text);
                if (node != null && node.isObject() && node.hasNonNull("title")) {
                    Map<String, Object> extensions = new LinkedHashMap<>();
                    node.properties().forEach(f -> {
                        if (!Set.of("type", "title", "status", "detail", "instance", "requestId").contains(f.getKey())) {
                            extensions.put(f.getKey(), json.convertValue(f.getValue(), Object.class));
                        }
                    });
                    URI type = node.hasNonNull("type") ? safeUri(node.get("type").asText()) : URI.create("about:blank");
                    return new Problem(type, node.get("title").asText(), status,
                                       node.hasNonNull("detail") ? node.get("detail").asText() : null,
                                       node.hasNonNull("instance") ? node.get("instance").asText() : null,
                                       node.hasNonNull("requestId") ? node.get("requestId").asText() : null,
                                       extensions);
                }
            } catch (Exception e) {
                LOG.debug("{} answered {} with a body that is not problem details", target, status);
            }
        }
        String detail = text.isBlank() ? null : text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return new Problem(URI.create("about:blank"), reason, status, detail, null, null, Map.of());
    }

    private static URI safeUri(String text) {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            return URI.create("about:blank");
        }
    }

    /** Retry-After is seconds or an HTTP date. */
    static Duration retryAfter(String value) {
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(),
                                              ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }
}
