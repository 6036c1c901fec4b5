package dev.flotilla.testkit;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One log line a service wrote, as captured by a {@link TestSystem}.
 *
 * @param timestampMillis when it was written, epoch milliseconds
 * @param level           the level, such as {@code INFO}
 * @param logger          the logger's name
 * @param message         the formatted message
 * @param mdc             the MDC at the time (service, correlationId, traceId, ...)
 * @param throwable       the logged exception's class and message; {@code null} when none
 */
public record LogLine(long timestampMillis, String level, String logger, String message, Map<String, String> mdc,
                      String throwable) {

    /**
     * The value of an MDC key.
     *
     * @param key the key, such as {@code correlationId}
     * @return the value; empty when the key was not set
     */
    public Optional<String> mdc(String key) {
        return Optional.ofNullable(mdc.get(key));
    }

    @Override
    public String toString() {
        return Instant.ofEpochMilli(timestampMillis) + " " + level + " [" + mdc.getOrDefault("correlationId", "")
                + "] " + logger + " - " + message + (throwable == null ? "" : " (" + throwable + ")");
    }
}
