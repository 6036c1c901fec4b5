package dev.flotilla.messaging;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.flotilla.core.json.JsonMapping;

/**
 * JSON for payloads: tolerant of unknown properties (readers must accept newer writers), java.time as ISO-8601
 * strings, records supported. A {@code byte[]} payload passes through untouched.
 */
final class JsonCodec {

    /** The same JSON settings as HTTP bodies, so one record reads the same from either. */
    private final ObjectMapper mapper = JsonMapping.newMapper();
    /**
     * A reader and a writer per payload class, made once: {@code mapper.readValue(bytes, type)} resolves the type
     * through the type factory (and its modules' type modifiers) on every call, which was about a fifth of the
     * decoding time of a small event.
     */
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();
    private final Map<Class<?>, ObjectWriter> writers = new ConcurrentHashMap<>();

    byte[] encode(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        try {
            ObjectWriter writer = writers.get(value.getClass());
            if (writer == null) { // the method reference is an object made per call: only when it is needed
                writer = writers.computeIfAbsent(value.getClass(), mapper::writerFor);
            }
            return writer.writeValueAsBytes(value);
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
        ObjectReader reader = readers.get(type);
        if (reader == null) {
            reader = readers.computeIfAbsent(type, mapper::readerFor);
        }
        T value = reader.readValue(body);
        if (value == null) {
            throw new IOException("payload is JSON null, expected " + type.getName());
        }
        return value;
    }
}
