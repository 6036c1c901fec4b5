package dev.flotilla.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.config.Config;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.service.registry.Services;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Spans, MDC and subscription metrics of messaging over a real nats-server: a handled message is a consumer span,
 * child of and linked to the publishing span; request-reply is a client and a server span; redeliveries, failures
 * and handled messages are counted per subscription.
 */
class MessagingObservabilityTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-b7ad6b7169203331-01";

    private static NatsServer server;
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final MeterRegistry registry = Services.get(MeterRegistry.class);
    private Messaging orders;
    private Messaging billing;

    @BeforeAll
    static void startServer() {
        server = NatsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void close() {
        if (orders != null) {
            orders.close();
        }
        if (billing != null) {
            billing.close();
        }
        MDC.clear();
    }

    private Messaging messaging(String service) {
        return Messaging.builder().serviceName(service)
                .nats(NatsMessagingContractTest.settings(server).build())
                .addStream(StreamDefinition.builder("OBS").addSubject("obs.>").build())
                .tracing(Tracing.create(service, Config.empty(), List.of(spans)))
                .metrics(registry)
                .build();
    }

    @Test
    void handledMessageIsAConsumerSpanChildOfAndLinkedToThePublishSpan() {
        orders = messaging("orders");
        billing = messaging("billing");
        Queue<Map<String, String>> mdc = new ConcurrentLinkedQueue<>();
        billing.subscribeDurable("obs.order-placed.v1", String.class, e -> mdc.add(MDC.getCopyOfContextMap()));

        CallContext.Scope scope = CallContext.of("orders", "req-obs-1").withTrace(TRACEPARENT, null).open();
        try {
            orders.publishDurable("obs.order-placed.v1", "o-1", "obs-o-1");
        } finally {
            scope.close();
        }

        Await.until(WAIT, () -> mdc.size() == 1, "one message handled");
        Await.until(WAIT, () -> find(s -> s.getKind() == SpanKind.CONSUMER).size() == 1, "the consumer span ended");
        SpanData publish = only(s -> s.getKind() == SpanKind.PRODUCER);
        SpanData process = only(s -> s.getKind() == SpanKind.CONSUMER);
        assertEquals("publish obs.order-placed.v1", publish.getName());
        assertEquals(TRACE_ID, publish.getTraceId());
        assertEquals("b7ad6b7169203331", publish.getParentSpanId());
        assertEquals("process obs.order-placed.v1", process.getName());
        assertEquals(TRACE_ID, process.getTraceId());
        assertEquals(publish.getSpanId(), process.getParentSpanId());
        assertEquals(publish.getSpanId(), process.getLinks().get(0).getSpanContext().getSpanId(),
                     "linked to the publishing span");
        assertEquals("billing", process.getResource().getAttribute(
                io.opentelemetry.api.common.AttributeKey.stringKey("service.name")));

        Map<String, String> seen = mdc.peek();
        assertEquals(Map.of("service", "billing", "correlationId", "req-obs-1", "traceId", TRACE_ID,
                            "spanId", process.getSpanId()), seen);
    }

    @Test
    void requestReplyIsAClientAndAServerSpan() {
        orders = messaging("orders");
        billing = messaging("billing");
        Queue<Map<String, String>> mdc = new ConcurrentLinkedQueue<>();
        billing.respond("rr.price", String.class, q -> {
            mdc.add(MDC.getCopyOfContextMap());
            return q.payload().length();
        });

        Integer length;
        CallContext.Scope scope = CallContext.of("orders", "req-obs-2").withTrace(TRACEPARENT, null).open();
        try {
            length = orders.request("rr.price", "four", Integer.class, WAIT);
        } finally {
            scope.close();
        }

        assertEquals(4, length);
        Await.until(WAIT, () -> find(s -> s.getKind() == SpanKind.CLIENT).size() == 1
                && find(s -> s.getKind() == SpanKind.SERVER).size() == 1, "both spans ended");
        SpanData request = only(s -> s.getKind() == SpanKind.CLIENT);
        SpanData respond = only(s -> s.getKind() == SpanKind.SERVER);
        assertEquals("request rr.price", request.getName());
        assertEquals("respond rr.price", respond.getName());
        assertEquals(request.getSpanId(), respond.getParentSpanId());
        assertEquals(TRACE_ID, respond.getTraceId());
        assertEquals(Map.of("service", "billing", "correlationId", "req-obs-2", "traceId", TRACE_ID,
                            "spanId", respond.getSpanId()), mdc.peek(), "the responder's lines carry its span");
    }

    @Test
    void subscriptionMetricsCountHandledFailedRedeliveredAndDeadLettered() {
        billing = messaging("billing-metrics");
        String subject = "obs.metered.v1";
        billing.subscribeDurable(subject, String.class,
                                 SubscriptionOptions.builder().backoff(List.of(Duration.ofMillis(20))).maxDeliver(2)
                                         .build(),
                                 e -> {
                                     if (e.payload().equals("poison") || e.deliveryCount() == 1) {
                                         throw new IllegalStateException("fails on first delivery");
                                     }
                                 });
        double handled = counter("handled", subject);
        double failed = counter("failed", subject);
        double redelivered = counter("redelivered", subject);
        double deadLettered = counter("dead-lettered", subject);

        billing.publishDurable(subject, "ok-after-one", "m-ok");
        billing.publishDurable(subject, "poison", "m-poison");

        Await.until(WAIT, () -> counter("handled", subject) == handled + 1
                && counter("dead-lettered", subject) == deadLettered + 1, "one handled, one dead-lettered");
        assertEquals(failed + 3, counter("failed", subject), "two failures of the poison, one of the other");
        assertEquals(redelivered + 2, counter("redelivered", subject), "each message was delivered twice");
        Timer processing = registry.timer("flotilla.messaging.subscription.processing",
                                          List.of(Tag.create("service", "billing-metrics"),
                                                  Tag.create("subject", subject))).orElseThrow();
        // a delivery is timed once it is settled, just after it is counted
        Await.until(WAIT, () -> processing.count() >= 4, "every delivery is timed");
    }

    private double counter(String name, String subject) {
        return registry.counter("flotilla.messaging.subscription." + name,
                                List.of(Tag.create("service", "billing-metrics"), Tag.create("subject", subject)))
                .map(Counter::count).orElse(0L);
    }

    private List<SpanData> find(Predicate<SpanData> filter) {
        return spans.getFinishedSpanItems().stream().filter(filter).toList();
    }

    private SpanData only(Predicate<SpanData> filter) {
        List<SpanData> found = find(filter);
        assertEquals(1, found.size(), () -> "one matching span in " + spans.getFinishedSpanItems());
        return found.get(0);
    }
}
