package dev.flotilla.core;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log lines written during a request carry the service name and the correlation id in the MDC. */
class RequestLoggingTest {

    @Test
    void logLinesDuringARequestCarryServiceAndCorrelationId() throws Exception {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger serviceLogger = (Logger) LoggerFactory.getLogger("catalog-service");
        serviceLogger.addAppender(captured);
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new CatalogService(), CatalogService.ephemeral()).build()) {
            runtime.start();
            URI base = runtime.service("catalog-service").uri();
            HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/log"))
                                                              .header("X-Request-Id", "trace-me-1").GET());
            assertEquals(200, response.statusCode());
            assertEquals(Map.of("service", "catalog-service", "correlationId", "trace-me-1"),
                         new ObjectMapper().readValue(response.body(), Map.class));

            ILoggingEvent line = captured.list.stream()
                    .filter(e -> e.getFormattedMessage().equals("handling /log"))
                    .findFirst().orElseThrow();
            assertEquals("catalog-service", line.getMDCPropertyMap().get("service"));
            assertEquals("trace-me-1", line.getMDCPropertyMap().get("correlationId"));

            ILoggingEvent errorLine;
            Http.send(HttpRequest.newBuilder(base.resolve("/boom")).header("X-Request-Id", "trace-me-2").GET());
            Logger runtimeLogger = (Logger) LoggerFactory.getLogger("catalog-service");
            errorLine = captured.list.stream().filter(e -> "trace-me-2".equals(e.getMDCPropertyMap().get("correlationId")))
                    .findFirst().orElseThrow();
            assertTrue(errorLine.getThrowableProxy() != null, "the 500's stack trace is logged, not sent");
            assertEquals(runtimeLogger.getName(), errorLine.getLoggerName());
        } finally {
            serviceLogger.detachAppender(captured);
        }
    }
}
