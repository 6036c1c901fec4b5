package dev.flotilla.testkit;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.LoggerFactory;

/**
 * Keeps the recent log lines of each service, told apart by the MDC key {@code service}, while a system runs. It reads
 * them through a Logback appender, so it captures only when Logback is SLF4J's backend; the testkit does not bring
 * Logback itself (a test project picks its own backend), and without it {@link #lines(String)} says what to add.
 * Thread-safe.
 *
 * <p>This class names no Logback type, so it loads without Logback; {@link LogbackAppender} does the Logback work.
 */
final class LogCapture {
    static final int LINES_PER_SERVICE = 2_000;
    /** SLF4J's logger factory when Logback is the backend. */
    private static final String LOGBACK_FACTORY = "ch.qos.logback.classic.LoggerContext";

    private final Map<String, Deque<LogLine>> lines = new ConcurrentHashMap<>();
    /** Guarded by this; null while detached or when Logback is not the backend. */
    private LogbackAppender appender;

    /**
     * Whether Logback is SLF4J's backend, so log lines can be captured.
     *
     * @return {@code true} when it is
     */
    static boolean available() {
        return LOGBACK_FACTORY.equals(backend());
    }

    private static String backend() {
        return LoggerFactory.getILoggerFactory().getClass().getName();
    }

    /**
     * Starts capturing; with Logback left unconfigured (no {@code logback-test.xml} or {@code logback.xml}), first
     * lowers its DEBUG default to INFO (see {@link LogbackAppender#infoUnlessConfigured}). Does nothing without
     * Logback or when already attached.
     */
    synchronized void attach() {
        if (appender == null && available()) {
            appender = LogbackAppender.attach(this);
        }
    }

    /** Stops capturing; the lines kept so far stay readable. */
    synchronized void detach() {
        if (appender != null) {
            appender.detach();
            appender = null;
        }
    }

    /** Keeps a line of a service, dropping its oldest beyond {@value #LINES_PER_SERVICE}. */
    void record(String service, LogLine line) {
        Deque<LogLine> deque = lines.computeIfAbsent(service, s -> new ArrayDeque<>());
        synchronized (deque) {
            deque.addLast(line);
            while (deque.size() > LINES_PER_SERVICE) {
                deque.removeFirst();
            }
        }
    }

    /**
     * A service's recent lines.
     *
     * @throws IllegalStateException if Logback is not SLF4J's backend (the message names the dependency to add)
     */
    List<LogLine> lines(String service) {
        if (!available()) {
            throw new IllegalStateException("Log lines are not captured: the testkit reads them through Logback, but "
                    + "SLF4J's backend here is " + backend() + "; add ch.qos.logback:logback-classic to the test "
                    + "dependencies (scope test) to read them");
        }
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
