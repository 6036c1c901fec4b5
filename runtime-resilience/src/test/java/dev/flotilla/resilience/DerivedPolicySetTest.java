package dev.flotilla.resilience;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Derived sets: one breaker per instance of a downstream, each configured like the downstream. */
class DerivedPolicySetTest {

    @Test
    void derivedSetStartsFromTheNamedSettingsAndIsSharedPerQualifier() {
        Resilience resilience = Resilience.create(TestSupport.resilienceConfig(Map.of(
                "user-service.retry.max-attempts", "5",
                "user-service.circuit-breaker.open-delay", "PT7S")));

        PolicySet first = resilience.derived("user-service", "10.0.0.1:8081", b -> b.retry(r -> r.enabled(false)));
        PolicySet again = resilience.derived("user-service", "10.0.0.1:8081", b -> b.retry(r -> r.enabled(true)));
        PolicySet other = resilience.derived("user-service", "10.0.0.2:8081", b -> b.retry(r -> r.enabled(false)));

        assertSame(first, again, "the same name and qualifier share one set; the first adjustment wins");
        assertNotSame(first, other);
        assertNotSame(first.circuitBreaker().orElseThrow(), other.circuitBreaker().orElseThrow());
        assertEquals("user-service/10.0.0.1:8081", first.name());
        assertFalse(first.config().retry().enabled());
        assertEquals(5, first.config().retry().maxAttempts(), "configured settings carry over");
        assertEquals(java.time.Duration.ofSeconds(7), first.config().circuitBreaker().openDelay());
        assertTrue(resilience.circuitBreakerStates().containsKey("user-service/10.0.0.2:8081"));
    }

    @Test
    void blankQualifierIsRefused() {
        Resilience resilience = Resilience.create(b -> { });
        assertThrows(IllegalArgumentException.class, () -> resilience.derived("user-service", " ", b -> { }));
    }
}
