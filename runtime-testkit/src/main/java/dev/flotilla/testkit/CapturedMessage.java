package dev.flotilla.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A message published in a {@link TestSystem}, as captured: its subject, headers and raw payload.
 *
 * @param subject         the subject it was published on
 * @param headers         its headers
 * @param payload         its payload bytes
 * @param timestampMillis when it was captured, epoch milliseconds
 */
public record CapturedMessage(String subject, Map<String, String> headers, byte[] payload, long timestampMillis) {

    /**
     * The payload as text (UTF-8).
     *
     * @return the text
     */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * A header.
     *
     * @param name the header's name
     * @return its value; empty when absent
     */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    <T> T as(Class<T> type, ObjectMapper json) {
        try {
            return json.readValue(payload, type);
        } catch (IOException e) {
            throw new UncheckedIOException("Message on " + subject + " is not a " + type.getSimpleName() + ": "
                                                   + text(), e);
        }
    }

    @Override
    public String toString() {
        String text = text();
        return subject + " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
}
