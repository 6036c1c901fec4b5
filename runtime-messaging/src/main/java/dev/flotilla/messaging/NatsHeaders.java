package dev.flotilla.messaging;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.nats.client.impl.Headers;

/** Converts between the header maps messaging hands around and jnats' {@link Headers}. */
final class NatsHeaders {

    private NatsHeaders() {
    }

    /** jnats' headers for a map; {@code null} (no headers on the wire) for an empty one. */
    static Headers toNats(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        Headers h = new Headers();
        headers.forEach(h::put);
        return h;
    }

    /** The first value of each header, unmodifiable; empty for {@code null}. */
    static Map<String, String> fromNats(Headers headers) {
        if (headers == null || headers.isEmpty()) {
            return Map.of();
        }
        if (headers.size() == 1) {
            String key = headers.keySet().iterator().next();
            String value = headers.getFirst(key);
            return value == null ? Map.of() : Map.of(key, value);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String key : headers.keySet()) {
            String value = headers.getFirst(key);
            if (value != null) {
                map.put(key, value);
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
