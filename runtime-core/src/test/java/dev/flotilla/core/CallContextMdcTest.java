package dev.flotilla.core;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import dev.flotilla.core.observability.CallContext;

/** {@link CallContext#open()} fills the MDC while open and leaves it exactly as it found it when closed. */
class CallContextMdcTest {
    private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @AfterEach
    void clear() {
        MDC.clear();
    }

    private static Map<String, String> mdc() {
        Map<String, String> copy = MDC.getCopyOfContextMap();
        return copy == null ? Map.of() : new HashMap<>(copy);
    }

    @Test
    void fillsTheMdcAndEmptiesItAgain() {
        CallContext.Scope scope = CallContext.of("orders", "c-1").withTrace(TRACE, null).open();
        assertEquals(Map.of("service", "orders", "correlationId", "c-1",
                            "traceId", "4bf92f3577b34da6a3ce929d0e0e4736", "spanId", "00f067aa0ba902b7"), mdc());
        assertEquals("c-1", CallContext.current().orElseThrow().correlationId());
        scope.close();
        assertEquals(Map.of(), mdc());
        assertEquals(java.util.Optional.empty(), CallContext.current());
    }

    @Test
    void aThreadThatCarriesTheSameServiceKeepsIt() {
        MDC.put(CallContext.MDC_SERVICE, "orders");
        for (int i = 0; i < 3; i++) {
            CallContext.Scope scope = CallContext.of("orders", "c-" + i).open();
            assertEquals(Map.of("service", "orders", "correlationId", "c-" + i), mdc());
            scope.close();
            assertEquals(Map.of("service", "orders"), mdc());
        }
    }

    @Test
    void restoresAnOuterContextWithItsTraceAndAnotherService() {
        MDC.put("tenant", "t-9");
        CallContext.Scope outer = CallContext.of("gateway", "outer").withTrace(TRACE, null).open();
        Map<String, String> outerMdc = mdc();
        CallContext.Scope inner = CallContext.of("orders", "inner").open();
        assertEquals(Map.of("tenant", "t-9", "service", "orders", "correlationId", "inner"), mdc());
        assertEquals("inner", CallContext.current().orElseThrow().correlationId());
        inner.close();
        assertEquals(outerMdc, mdc());
        assertEquals("outer", CallContext.current().orElseThrow().correlationId());
        outer.close();
        assertEquals(Map.of("tenant", "t-9"), mdc());
        assertNull(MDC.get(CallContext.MDC_TRACE_ID));
    }
}
