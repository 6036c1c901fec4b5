package dev.flotilla.testkit;

import java.util.List;

import dev.flotilla.core.observability.CallContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What {@link LogbackDefaultLevelTest} runs inside a class loader of its own, where SLF4J and Logback start afresh
 * with the configuration files (or the Logback jars) the test chooses.
 */
final class LoggingProbe {
    private LoggingProbe() {
    }

    /** Starts a system, logs a DEBUG and an INFO line as its service, and returns the lines captured from them. */
    static List<String> linesCapturedAfterStart() {
        try (TestSystem system = TestSystem.builder().addService(new GreeterService()).nats(NatsMode.IN_JVM).build()) {
            system.start();
            Logger log = LoggerFactory.getLogger("probe");
            MDC.put(CallContext.MDC_SERVICE, "greeter-service");
            try {
                log.debug("a DEBUG line");
                log.info("an INFO line");
            } finally {
                MDC.remove(CallContext.MDC_SERVICE);
            }
            return system.logs("greeter-service").stream()
                    .filter(line -> line.logger().equals("probe"))
                    .map(line -> line.level() + " " + line.message())
                    .toList();
        }
    }

    /** Starts a system and returns what asking for its log lines answers. */
    static String logsAnswer() {
        try (TestSystem system = TestSystem.builder().addService(new GreeterService()).nats(NatsMode.IN_JVM).build()) {
            system.start();
            return system.logs("greeter-service").toString();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
