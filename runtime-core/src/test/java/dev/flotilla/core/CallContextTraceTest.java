package dev.flotilla.core;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import dev.flotilla.core.observability.CallContext;

/** Only a well-formed {@code traceparent} is adopted; anything else is dropped with its {@code tracestate}. */
class CallContextTraceTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void adoptsAWellFormedTraceparentAndDropsOthers() {
        assertEquals(Optional.of(VALID), CallContext.of("s", "c").withTrace(VALID, "k=v").traceParent());
        assertEquals(Optional.of("k=v"), CallContext.of("s", "c").withTrace(VALID, "k=v").traceState());
        for (String bad : new String[] {null, "", VALID.toUpperCase(java.util.Locale.ROOT), VALID + "0",
                VALID.substring(1), VALID.replace('-', '_'), "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\n"}) {
            CallContext call = CallContext.of("s", "c").withTrace(bad, "k=v");
            assertEquals(Optional.empty(), call.traceParent(), String.valueOf(bad));
            assertEquals(Optional.empty(), call.traceState(), String.valueOf(bad));
        }
    }
}
