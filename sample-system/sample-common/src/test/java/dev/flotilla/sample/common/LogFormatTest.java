package dev.flotilla.sample.common;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The services' logback.xml: text by default, one JSON object per line with FLOTILLA_LOG_FORMAT=json. */
class LogFormatTest {
    private static final Map<String, String> MDC = Map.of("service", "order-service", "correlationId", "req-1",
                                                          "traceId", "4bf92f3577b34da6a3ce929d0e0e4736",
                                                          "spanId", "00f067aa0ba902b7");

    @Test
    void jsonFormatWritesTheMdcAsJson() throws Exception {
        String line = encode("json");
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("INFO", json.get("level").asText());
        assertEquals("Order o-1 placed", json.get("formattedMessage").asText());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", json.get("mdc").get("traceId").asText());
        assertEquals("00f067aa0ba902b7", json.get("mdc").get("spanId").asText());
        assertEquals("order-service", json.get("mdc").get("service").asText());
        assertEquals("req-1", json.get("mdc").get("correlationId").asText());
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
    }

    @Test
    void textIsTheDefaultAndNamesServiceCorrelationAndTrace() throws Exception {
        String line = encode(null);
        assertTrue(line.contains("[order-service] [req-1] [4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7]"),
                   line);
        assertTrue(line.endsWith("Order o-1 placed\n"), line);
    }

    /** Configures a fresh logback context from the services' logback.xml and encodes one event with its appender. */
    private static String encode(String format) throws Exception {
        LoggerContext context = new LoggerContext();
        if (format != null) {
            context.putProperty("FLOTILLA_LOG_FORMAT", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
        try {
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            OutputStreamAppender<ILoggingEvent> appender =
                    (OutputStreamAppender<ILoggingEvent>) root.getAppender(format == null ? "text" : format);
            assertNotNull(appender, "the root logs to the appender named " + format);
            LoggingEvent event = new LoggingEvent("test", context.getLogger("dev.flotilla.sample.order.OrderSaga"),
                                                  Level.INFO, "Order {} placed", null, new Object[] {"o-1"});
            event.setMDCPropertyMap(MDC);
            return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
        } finally {
            context.stop();
        }
    }
}
