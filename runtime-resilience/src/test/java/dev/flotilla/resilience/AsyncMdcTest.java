package dev.flotilla.resilience;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** An asynchronous attempt runs on a virtual thread of its own, with the caller's MDC (service, trace ids). */
class AsyncMdcTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void asyncAttemptsSeeTheCallersMdc() throws Exception {
        PolicySet set = Resilience.create(b -> { }).policies("mdc");
        MDC.put("service", "order-service");
        MDC.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");

        Map<String, String> seen = set.getAsync(() -> {
            assertFalse(Thread.currentThread().getName().equals("main"));
            return MDC.getCopyOfContextMap();
        }).get(10, TimeUnit.SECONDS);

        assertEquals(Map.of("service", "order-service", "traceId", "4bf92f3577b34da6a3ce929d0e0e4736"), seen);
    }
}
