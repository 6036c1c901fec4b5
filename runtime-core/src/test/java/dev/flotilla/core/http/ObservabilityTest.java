package dev.flotilla.core.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.observability.Tracing;
import io.helidon.webserver.http.HttpRules;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One request into a front service that calls the catalog over a typed client: one trace (server, client and
 * server spans, parent to child), correlated log lines in both services (also on the async client's thread), and
 * RED metrics at {@code /metrics} in Prometheus format.
 */
class ObservabilityTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

    private static ServiceRuntime runtime;

    /** Calls the catalog three ways: plain, async (another virtual thread), and a retried GET. */
    static final class FrontService extends Service {
        FrontService() {
            super("front-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.get("/front/{id}", (req, res) -> {
                CatalogApi catalog = context.client(CatalogApi.class, "catalog-service");
                context.logger().info("front handling {}", req.path().pathParameters().get("id"));
                // docs/observability.md, "Spans of your own"
                Span span = context.tracing().tracer().spanBuilder("price lookup")
                        .setParent(Tracing.parentOf(CallContext.current().orElseThrow()))
                        .startSpan();
                try {
                    span.setAttribute("sku", "pen");
                } finally {
                    span.end();
                }
                Map<String, String> seen = catalog.echo("x");
                Map<String, String> seenAsync = catalog.echoAsync("y").get(5, TimeUnit.SECONDS);
                String flaky = catalog.flakyGet("front-" + req.path().pathParameters().get("id"), 1);
                res.send(new ObjectMapper().writeValueAsString(Map.of(
                        "sync", seen.get("traceparent"), "async", seenAsync.get("traceparent"), "flaky", flaky,
                        "mine", CallContext.current().orElseThrow().traceParent().orElseThrow())));
            });
        }
    }

    @BeforeAll
    static void start() {
        LOGS.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
        Map<String, String> ephemeral = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                               "shutdown.grace-period", "PT0S",
                                               "resilience.catalog-service.retry.delay", "PT0.01S",
                                               "resilience.catalog-service.retry.max-delay", "PT0.02S");
        runtime = ServiceRuntime.builder()
                .addService(new CatalogServer(), ephemeral)
                .addService(new FrontService(), ephemeral)
                .spanExporter(SPANS)
                .build();
        runtime.start();
    }

    @AfterAll
    static void stop() {
        runtime.stop();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    }

    @BeforeEach
    void clear() {
        SPANS.reset();
    }

    @Test
    void oneRequestIsOneTraceAcrossServicesWithParentChildSpansAndAttempts() throws Exception {
        HttpResponse<String> response = get(runtime.service("front-service").uri().resolve("/front/1"),
                                            Map.of("traceparent", TRACEPARENT, "X-Request-Id", "obs-1"));
        assertEquals(200, response.statusCode(), response.body());
        Map<?, ?> body = new ObjectMapper().readValue(response.body(), Map.class);

        // front's server span: a child of the caller's span, in the caller's trace. It ends after the response is
        // sent, so it may reach the exporter a moment after the client has the response.
        awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("GET /front/{id}"));
        List<SpanData> spans = SPANS.getFinishedSpanItems();
        SpanData front = only(spans, s -> s.getKind() == SpanKind.SERVER && s.getName().equals("GET /front/{id}"));
        assertEquals(TRACE_ID, front.getTraceId());
        assertEquals("00f067aa0ba902b7", front.getParentSpanId());
        assertEquals("front-service", front.getResource().getAttribute(
                io.opentelemetry.api.common.AttributeKey.stringKey("service.name")));
        assertEquals("00-" + TRACE_ID + "-" + front.getSpanId() + "-01", body.get("mine"));
        SpanData own = only(spans, s -> s.getName().equals("price lookup"));
        assertEquals(front.getSpanId(), own.getParentSpanId(), "a span of the service's own, in the request");

        // every span of the request is in that one trace; each catalog server span is a child of a client span
        assertTrue(spans.stream().allMatch(s -> s.getTraceId().equals(TRACE_ID)), spans.toString());
        List<SpanData> clientSpans = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        assertEquals(4, clientSpans.size(), "echo, echoAsync and two attempts of flaky: " + clientSpans);
        assertTrue(clientSpans.stream().allMatch(s -> s.getParentSpanId().equals(front.getSpanId())));
        for (SpanData client : clientSpans) {
            SpanData server = only(spans, s -> s.getKind() == SpanKind.SERVER
                    && s.getParentSpanId().equals(client.getSpanId()));
            assertEquals("catalog-service", server.getResource().getAttribute(
                    io.opentelemetry.api.common.AttributeKey.stringKey("service.name")));
        }
        assertEquals(List.of(1L, 2L), clientSpans.stream()
                .filter(s -> s.getName().equals("GET /v1/flaky"))
                .map(s -> s.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey(
                        Tracing.ATTEMPT_ATTRIBUTE)))
                .sorted().toList(), "the retried GET has a span per attempt, numbered");
        SpanData echo = only(clientSpans, s -> s.getName().equals("GET /v1/echo/{text}"));
        SpanData echoServer = only(spans, s -> s.getParentSpanId().equals(echo.getSpanId()));
        assertEquals("00-" + TRACE_ID + "-" + echoServer.getSpanId() + "-01", body.get("sync"));
        assertTrue(body.get("async").toString().startsWith("00-" + TRACE_ID + "-"), "async call: same trace");

        // log lines of both services carry the trace id and their own span id
        ILoggingEvent frontLine = logs().stream()
                .filter(e -> e.getFormattedMessage().equals("front handling 1")).findFirst().orElseThrow();
        assertEquals(Map.of("service", "front-service", "correlationId", "obs-1", "traceId", TRACE_ID,
                            "spanId", front.getSpanId()), frontLine.getMDCPropertyMap());
        List<ILoggingEvent> catalogLines = logs().stream()
                .filter(e -> "catalog-service".equals(e.getMDCPropertyMap().get("service"))
                        && "obs-1".equals(e.getMDCPropertyMap().get("correlationId"))).toList();
        assertFalse(catalogLines.isEmpty(), "the catalog logged during the request");
        assertTrue(catalogLines.stream().allMatch(e -> TRACE_ID.equals(e.getMDCPropertyMap().get("traceId"))));
    }

    @Test
    void requestsWithoutATraceStartOne() throws Exception {
        HttpResponse<String> response = get(runtime.service("front-service").uri().resolve("/front/2"), Map.of());
        assertEquals(200, response.statusCode(), response.body());
        awaitSpan(s -> s.getName().equals("GET /front/{id}"));
        SpanData front = only(SPANS.getFinishedSpanItems(), s -> s.getName().equals("GET /front/{id}"));
        assertFalse(front.getParentSpanContext().isValid(), "a root span");
        assertTrue(SPANS.getFinishedSpanItems().stream().allMatch(s -> s.getTraceId().equals(front.getTraceId())));
    }

    @Test
    void redMetricsArePublishedInPrometheusFormat() throws Exception {
        URI front = runtime.service("front-service").uri();
        assertEquals(200, get(front.resolve("/front/3"), Map.of()).statusCode());
        assertEquals(404, get(front.resolve("/nowhere/at/all"), Map.of()).statusCode());

        // A request is counted once its response is sent: poll until both are.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> metrics = get(front.resolve("/metrics"), Map.of("Accept", "text/plain"));
            assertEquals(200, metrics.statusCode());
            text = metrics.body();
            if (line(text, "flotilla_http_server_requests_seconds_count", "service=\"front-service\"",
                     "route=\"unmatched\"", "status=\"4xx\"") >= 1) {
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        assertTrue(line(text, "flotilla_http_server_requests_seconds_count", "service=\"front-service\"",
                        "method=\"GET\"", "route=\"/front/{id}\"", "status=\"2xx\"") >= 1, text);
        assertTrue(line(text, "flotilla_http_server_requests_seconds_count", "service=\"front-service\"",
                        "route=\"unmatched\"", "status=\"4xx\"") >= 1, "404s are one series, not one per path");
        assertTrue(line(text, "flotilla_http_server_errors_total", "service=\"catalog-service\"",
                        "route=\"/v1/flaky\"", "status=\"5xx\"") >= 1, "the flaky 503s are errors");
        assertTrue(line(text, "flotilla_http_client_requests_seconds_count", "service=\"front-service\"",
                        "target=\"catalog-service\"", "method=\"flakyGet\"", "outcome=\"success\"") >= 1);
        assertTrue(line(text, "flotilla_resilience_circuit_breakers", "service=\"front-service\"",
                        "state=\"closed\"") >= 1, "the breaker of the catalog instance is counted as closed");
        assertTrue(line(text, "flotilla_resilience_calls_total", "service=\"front-service\"",
                        "policy=\"catalog-service/calls\"", "outcome=\"success\"") >= 1,
                   "the typed client's calls are counted by their policy set");
        assertFalse(text.contains("route=\"/nowhere/at/all\""));
        assertTrue(line(text, "flotilla_http_server_requests_seconds_max", "service=\"front-service\"",
                        "route=\"/front/{id}\"") >= 0, "the timers publish count, sum and max");
        assertEquals(-1, line(text, "flotilla_http_server_requests_seconds", "quantile="),
                     "no client-side percentiles, which would update a histogram at every request");
        assertEquals(-1, line(text, "flotilla_http_client_requests_seconds", "quantile="));
    }

    /** The value of the first sample line of {@code name} that has all the labels; -1 when there is none. */
    static double line(String prometheus, String name, String... labels) {
        for (String l : prometheus.split("\n")) {
            if (l.startsWith(name + "{") && List.of(labels).stream().allMatch(l::contains)) {
                return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    /** The captured lines; AppenderBase appends under the appender's lock, so copy under it too. */
    private static List<ILoggingEvent> logs() {
        synchronized (LOGS) {
            return List.copyOf(LOGS.list);
        }
    }

    /** Waits (at most 10 s) until a matching span has ended. */
    private static void awaitSpan(java.util.function.Predicate<SpanData> filter) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (SPANS.getFinishedSpanItems().stream().noneMatch(filter)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No matching span ended in 10 s: " + SPANS.getFinishedSpanItems());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    private static SpanData only(List<SpanData> spans, java.util.function.Predicate<SpanData> filter) {
        List<SpanData> found = spans.stream().filter(filter).toList();
        assertEquals(1, found.size(), "expected exactly one matching span in " + spans);
        return Objects.requireNonNull(found.get(0));
    }

    private static HttpResponse<String> get(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
