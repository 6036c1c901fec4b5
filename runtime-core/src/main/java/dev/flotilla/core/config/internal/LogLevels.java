package dev.flotilla.core.config.internal;

import java.util.Locale;
import java.util.Set;

import org.slf4j.LoggerFactory;

/**
 * Sets logger levels from {@code log.level.<logger>} keys. Flotilla depends on the SLF4J API only: levels are set
 * when Logback is the SLF4J backend (the usual case), and only checked otherwise. A level is per JVM: services in
 * one JVM share their loggers. Stateless.
 */
final class LogLevels {
    /** The config section: {@code log.level.<logger name>: DEBUG}, {@code log.level.root} for the root logger. */
    static final String PREFIX = "log.level.";
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogLevels() {
    }

    /**
     * Checks a level name.
     *
     * @throws IllegalArgumentException if it is not one of TRACE, DEBUG, INFO, WARN, ERROR, OFF
     */
    static void check(String value) {
        if (value != null && !LEVELS.contains(value.trim().toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("not a log level (expected one of TRACE, DEBUG, INFO, WARN, ERROR, "
                                                       + "OFF)");
        }
    }

    /**
     * Sets the level of a logger; {@code null} lets it inherit its parent's again.
     *
     * @return whether the level was set (false when the backend is not Logback)
     */
    static boolean apply(String loggerName, String value) {
        if (!isLogback()) {
            return false;
        }
        LogbackLevels.set(loggerName, value);
        return true;
    }

    private static boolean isLogback() {
        return LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback.");
    }

    /** Only loaded when Logback is present (an optional dependency). */
    private static final class LogbackLevels {
        static void set(String loggerName, String value) {
            boolean root = loggerName.equalsIgnoreCase("root");
            if (root && value == null) {
                return; // Logback's root logger must keep a level: a removed root level leaves the current one
            }
            String name = root ? org.slf4j.Logger.ROOT_LOGGER_NAME : loggerName;
            ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name);
            logger.setLevel(value == null ? null : ch.qos.logback.classic.Level.toLevel(value.trim()));
        }
    }
}
