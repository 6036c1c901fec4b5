package dev.flotilla.messaging;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.internal.JsonMapping;

/**
 * JSON for payloads: tolerant of unknown properties (readers must accept newer writers), java.time as ISO-8601
 * strings, records supported. A {@code byte[]} payload passes through untouched.
 */
final class JsonCodec {

    /** The same JSON settings as HTTP bodies, so one record reads the same from either. */
    private final ObjectMapper mapper = JsonMapping.newMapper();

    byte[] encode(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new MessagingException("Cannot encode " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Decodes or throws IOException with the reason; a JSON null is refused too. */
    <T> T decode(byte[] body, Class<T> type) throws IOException {
        if (type == byte[].class) {
            return type.cast(body);
        }
        T value = mapper.readValue(body, type);
        if (value == null) {
            throw new IOException("payload is JSON null, expected " + type.getName());
        }
        return value;
    }
}
