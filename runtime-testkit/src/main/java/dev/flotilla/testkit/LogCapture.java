package dev.flotilla.testkit;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.flotilla.core.observability.Correlation;
import org.slf4j.LoggerFactory;

/**
 * Keeps the recent log lines of each service, told apart by the MDC key {@code service}. Attached to logback's root
 * logger while a system runs. Thread-safe.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> {
    static final int LINES_PER_SERVICE = 2_000;

    private final Map<String, Deque<LogLine>> lines = new ConcurrentHashMap<>();

    void attach() {
        setName("flotilla-testkit-" + System.identityHashCode(this));
        setContext(((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).getLoggerContext());
        start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(this);
    }

    void detach() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String service = event.getMDCPropertyMap().get(Correlation.MDC_SERVICE);
        if (service == null) {
            return;
        }
        Deque<LogLine> deque = lines.computeIfAbsent(service, s -> new ArrayDeque<>());
        LogLine line = new LogLine(event.getTimeStamp(), event.getLevel().toString(), event.getLoggerName(),
                                   event.getFormattedMessage(), Map.copyOf(event.getMDCPropertyMap()),
                                   event.getThrowableProxy() == null ? null
                                           : event.getThrowableProxy().getClassName() + ": "
                                           + event.getThrowableProxy().getMessage());
        synchronized (deque) {
            deque.addLast(line);
            while (deque.size() > LINES_PER_SERVICE) {
                deque.removeFirst();
            }
        }
    }

    List<LogLine> lines(String service) {
        Deque<LogLine> deque = lines.get(service);
        if (deque == null) {
            return List.of();
        }
        synchronized (deque) {
            return List.copyOf(deque);
        }
    }

    void clear() {
        lines.clear();
    }
}
