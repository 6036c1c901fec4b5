package dev.flotilla.messaging.saga;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.Messaging;
import io.helidon.config.Config;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.service.registry.Services;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One trace per saga, a span per step attempt, the saga metrics, and the MDC while a step runs. */
class SagaObservabilityTest {

    /** The data. */
    public record Data(int n) {
    }

    @Test
    void everyStepAttemptIsASpanOfTheSagasOneTraceAndIsCountedAndTimed() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        MeterRegistry registry = Services.get(MeterRegistry.class);
        String service = "obs-" + System.nanoTime();
        Map<String, String> mdc = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        try (Tracing tracing = Tracing.create(service, Config.empty(), List.of(spans));
             Messaging messaging = Messaging.builder().serviceName(service).build();
             Sagas sagas = Sagas.builder(messaging).tracing(tracing).metrics(registry)
                     .sweepInterval(Duration.ofMillis(10)).retryMinDelay(Duration.ofMillis(5)).build()) {
            Saga<Data> saga = sagas.register(SagaDefinition.builder("obs", Data.class)
                    .step("one", s -> s.action(ctx -> {
                        mdc.put("saga", MDC.get("saga"));
                        mdc.put("sagaId", MDC.get("sagaId"));
                        mdc.put("traceId", MDC.get(CallContext.MDC_TRACE_ID));
                        return new Data(1);
                    }))
                    .step("two", s -> s.action(ctx -> {
                        if (calls.incrementAndGet() == 1) {
                            throw new IllegalStateException("once");
                        }
                        return new Data(2);
                    }))
                    .build());
            Saga<Data> failing = sagas.register(SagaDefinition.builder("obs-failing", Data.class)
                    .step("one", s -> s.action(ctx -> {
                        throw new SagaFailure("no");
                    })).build());

            saga.start("s-1", new Data(0));
            failing.start("f-1", new Data(0));
            Await.until(Duration.ofSeconds(10), () -> saga.find("s-1").orElseThrow().finished(), "finished");
            // counted once the final state is stored, just after it becomes visible
            Await.until(Duration.ofSeconds(10), () -> count(registry, "completed", service, "obs") == 1
                    && count(registry, "failed", service, "obs-failing") == 1, "counted");

            List<SpanData> steps = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().startsWith("saga obs ")).toList();
            assertEquals(List.of("saga obs one", "saga obs two", "saga obs two"),
                         steps.stream().map(SpanData::getName).sorted().toList());
            SpanData root = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("saga obs"))
                    .findFirst().orElseThrow();
            assertTrue(steps.stream().allMatch(s -> s.getTraceId().equals(root.getTraceId())
                    && s.getParentSpanId().equals(root.getSpanId())), "one trace, steps under the saga's span");
            assertEquals(Map.of("saga", "obs", "sagaId", "s-1", "traceId", root.getTraceId()), mdc);
            assertEquals(1L, count(registry, "started", service, "obs"));
            assertEquals(1L, count(registry, "completed", service, "obs"));
            assertEquals(1L, count(registry, "failed", service, "obs-failing"));
            Timer retried = registry.timer("flotilla.saga.step.duration", List.of(Tag.create("service", service),
                    Tag.create("saga", "obs"), Tag.create("step", "two"), Tag.create("outcome", "retry")))
                    .orElseThrow();
            assertEquals(1L, retried.count());
        }
    }

    private static long count(MeterRegistry registry, String what, String service, String saga) {
        return registry.counter("flotilla.saga." + what, List.of(Tag.create("service", service),
                                                                 Tag.create("saga", saga)))
                .map(Counter::count).orElse(0L);
    }
}
