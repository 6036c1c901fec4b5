package dev.flotilla.sample.shop;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Predicate;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.LogLine;
import dev.flotilla.testkit.TestSystem;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One order placed through the gateway is one trace: gateway → order-service over HTTP, order-service → NATS →
 * inventory-service, seen in the log lines of every service and in the recorded spans; and the RED metrics at
 * {@code /metrics} moved.
 */
class ShopObservabilityTest {
    private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
    private static final String CALLER_SPAN = "eee19b7ec3c1b174";

    @RegisterExtension
    static final TestSystem SYSTEM = Shop.system();

    private final ShopApi shop = Shop.api(SYSTEM);

    @Test
    void oneOrderIsOneTraceInEveryServicesLogsAndSpans() throws Exception {
        User user = Shop.user(shop);
        Product product = Shop.product(shop, 250, 5);

        Order placed;
        // The test is the caller: its trace context goes out with the gateway request.
        CallContext.Scope scope = CallContext.of("test", "obs-order-1")
                .withTrace("00-" + TRACE_ID + "-" + CALLER_SPAN + "-01", null).open();
        try {
            placed = shop.placeOrder(Shop.order(user, product, 2));
        } finally {
            scope.close();
        }
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(placed.id()).status()));

        // Logs: every service's lines about this order carry the one trace id.
        eventually(() -> {
            assertEquals(TRACE_ID, line("gateway", "Placing an order for user " + user.id()).mdc("traceId")
                    .orElseThrow());
            assertEquals(TRACE_ID, line("order-service", "Order " + placed.id() + " placed").mdc("traceId")
                    .orElseThrow());
            assertEquals(TRACE_ID, line("inventory-service", "Reserved stock for order " + placed.id())
                    .mdc("traceId").orElseThrow());
            assertEquals(TRACE_ID, line("order-service", "Order " + placed.id() + " confirmed").mdc("traceId")
                    .orElseThrow());
        });
        List<LogLine> requestLines = SYSTEM.logs("gateway").stream()
                .filter(l -> l.mdc("correlationId").orElse("").equals("obs-order-1")).toList();
        assertFalse(requestLines.isEmpty());
        assertTrue(requestLines.stream().allMatch(l -> l.mdc("traceId").orElse("").equals(TRACE_ID)
                           && l.mdc("spanId").isPresent()), requestLines.toString());
        // Past the gateway, the order's saga carries the trace (each of its steps is a call of its own).
        for (String service : List.of("order-service", "inventory-service")) {
            List<LogLine> lines = SYSTEM.logs(service).stream()
                    .filter(l -> l.message().contains(placed.id())).toList();
            assertFalse(lines.isEmpty(), service);
            assertTrue(lines.stream().allMatch(l -> l.mdc("traceId").orElse("").equals(TRACE_ID)
                               && l.mdc("spanId").isPresent()), service + ": " + lines);
        }

        // Spans: gateway server → gateway client → order server → saga step → publish of the command → inventory
        // process (child and link).
        eventually(() -> assertEquals(1, spans(s -> s.getKind() == SpanKind.CONSUMER
                && s.getName().equals("process " + ReserveStock.SUBJECT)
                && service(s).equals("inventory-service")).size()));
        // (a server span ends just after its response is sent)
        eventually(() -> assertEquals(1, spans(s -> s.getKind() == SpanKind.SERVER && service(s).equals("gateway")
                && s.getName().equals("POST /api/v1/orders")).size()));
        SpanData gateway = only(s -> s.getKind() == SpanKind.SERVER && service(s).equals("gateway")
                && s.getName().equals("POST /api/v1/orders"));
        assertEquals(CALLER_SPAN, gateway.getParentSpanId());
        SpanData call = only(s -> s.getKind() == SpanKind.CLIENT && service(s).equals("gateway")
                && s.getParentSpanId().equals(gateway.getSpanId()) && s.getName().startsWith("POST "));
        SpanData orderServer = only(s -> s.getKind() == SpanKind.SERVER && service(s).equals("order-service")
                && s.getParentSpanId().equals(call.getSpanId()));
        SpanData publish = only(s -> s.getKind() == SpanKind.PRODUCER && service(s).equals("order-service")
                && s.getName().equals("publish " + ReserveStock.SUBJECT));
        SpanData step = only(s -> service(s).equals("order-service")
                && s.getSpanId().equals(publish.getParentSpanId()));
        assertEquals("saga place-order reserve-stock", step.getName());
        SpanData process = only(s -> s.getKind() == SpanKind.CONSUMER && service(s).equals("inventory-service")
                && s.getName().equals("process " + ReserveStock.SUBJECT));
        assertEquals(publish.getSpanId(), process.getParentSpanId());
        assertEquals(publish.getSpanId(), process.getLinks().getFirst().getSpanContext().getSpanId());
        for (SpanData span : List.of(gateway, call, orderServer, step, publish, process)) {
            assertEquals(TRACE_ID, span.getTraceId(), span.toString());
        }
        // order-service checked the user and the prices, and took the payment, over HTTP inside the same trace
        assertTrue(spans(s -> s.getKind() == SpanKind.CLIENT && service(s).equals("order-service")
                && s.getTraceId().equals(TRACE_ID)).size() >= 3);

        // Metrics: requests per route, client calls per target, handled messages per subscription, connections.
        // (a message is timed once settled, a moment after the saga moved on: poll)
        eventually(() -> {
            HttpResponse<String> metrics = Shop.get(SYSTEM.service("gateway").uri().resolve("/metrics"));
            assertEquals(200, metrics.statusCode());
            String text = metrics.body();
            assertTrue(sample(text, "flotilla_http_server_requests_seconds_count", "service=\"gateway\"",
                              "method=\"POST\"", "route=\"/api/v1/orders\"", "status=\"2xx\"") >= 1, text);
            assertTrue(sample(text, "flotilla_http_client_requests_seconds_count", "service=\"gateway\"",
                              "target=\"order-service\"", "method=\"place\"", "outcome=\"success\"") >= 1, text);
            assertTrue(sample(text, "flotilla_messaging_subscription_handled_total",
                              "service=\"inventory-service\"", "subject=\"" + ReserveStock.SUBJECT + "\"") >= 1, text);
            assertTrue(sample(text, "flotilla_messaging_subscription_processing_seconds_count",
                              "service=\"inventory-service\"", "subject=\"" + ReserveStock.SUBJECT + "\"") >= 1,
                       text);
            assertEquals(1.0, sample(text, "flotilla_messaging_connected", "service=\"inventory-service\"",
                                     "transport=\"nats\""), text);
            assertTrue(sample(text, "flotilla_resilience_circuit_breakers", "service=\"gateway\"",
                              "state=\"closed\"") >= 1, text);
        });
    }

    /** The value of the first Prometheus sample of {@code name} with all the labels; -1 when there is none. */
    private static double sample(String prometheus, String name, String... labels) {
        for (String l : prometheus.split("\n")) {
            if (l.startsWith(name + "{") && List.of(labels).stream().allMatch(l::contains)) {
                return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static String service(SpanData span) {
        return span.getResource().getAttribute(AttributeKey.stringKey("service.name"));
    }

    private static List<SpanData> spans(Predicate<SpanData> filter) {
        return SYSTEM.spans().stream().filter(filter).toList();
    }

    private static SpanData only(Predicate<SpanData> filter) {
        List<SpanData> found = spans(filter);
        assertEquals(1, found.size(), () -> "one matching span in " + SYSTEM.spans());
        return found.getFirst();
    }

    private static LogLine line(String service, String message) {
        return SYSTEM.logs(service).stream().filter(l -> l.message().startsWith(message)).findFirst()
                .orElseThrow(() -> new AssertionError("No line '" + message + "' in " + service));
    }
}
