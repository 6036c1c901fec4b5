package dev.flotilla.resilience;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.failsafe.CircuitBreaker;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Resilience.reconfigure: policy sets rebuilt in place, all or nothing, breakers kept when their settings are. */
class ReconfigureTest {

    private static int attempts(PolicySet set) {
        AtomicInteger attempts = new AtomicInteger();
        try {
            set.run(() -> {
                attempts.incrementAndGet();
                throw new IllegalStateException("down");
            });
        } catch (IllegalStateException expected) {
            // every attempt failed
        }
        return attempts.get();
    }

    private static Resilience resilience(String maxAttempts, String openDelay) {
        return Resilience.create(TestSupport.resilienceConfig(settings(maxAttempts, openDelay)));
    }

    private static Map<String, String> settings(String maxAttempts, String openDelay) {
        return Map.of("user-service.retry.max-attempts", maxAttempts,
                      "user-service.retry.delay", "PT0.001S",
                      "user-service.retry-budget.enabled", "false",
                      "user-service.circuit-breaker.window-size", "100",
                      "user-service.circuit-breaker.open-delay", openDelay);
    }

    @Test
    void callersKeepTheirSetAndTheNextCallUsesTheNewSettings() {
        Resilience resilience = resilience("1", "PT5S");
        PolicySet set = resilience.policies("user-service");
        PolicySet derived = resilience.derived("user-service", "10.0.0.1:8081",
                                               b -> b.circuitBreaker(cb -> cb.enabled(false)));
        assertEquals(1, attempts(set));

        resilience.reconfigure(TestSupport.resilienceConfig(settings("3", "PT5S")));

        assertSame(set, resilience.policies("user-service"));
        assertEquals(3, attempts(set));
        assertEquals(3, derived.config().retry().maxAttempts(), "derived sets follow their name's settings");
        assertEquals(false, derived.config().circuitBreaker().enabled(), "and keep their adjustment");
    }

    @Test
    void anOpenBreakerStaysOpenUnlessItsOwnSettingsChange() {
        Resilience resilience = resilience("1", "PT5S");
        PolicySet set = resilience.policies("user-service");
        CircuitBreaker<Object> breaker = set.circuitBreaker().orElseThrow();
        breaker.open();

        resilience.reconfigure(TestSupport.resilienceConfig(settings("2", "PT5S")));
        assertSame(breaker, set.circuitBreaker().orElseThrow());
        assertEquals(CircuitBreaker.State.OPEN, set.circuitBreaker().orElseThrow().getState());

        resilience.reconfigure(TestSupport.resilienceConfig(settings("2", "PT9S")));
        assertNotSame(breaker, set.circuitBreaker().orElseThrow());
        assertEquals(CircuitBreaker.State.CLOSED, set.circuitBreaker().orElseThrow().getState());
    }

    @Test
    void anInvalidConfigurationChangesNothing() {
        Resilience resilience = resilience("2", "PT5S");
        PolicySet set = resilience.policies("user-service");
        ResilienceConfigException e = assertThrows(ResilienceConfigException.class, () -> resilience.reconfigure(
                TestSupport.resilienceConfig(Map.of("user-service.retry.max-attempts", "lots"))));
        assertEquals(true, e.getMessage().contains("resilience.user-service.retry.max-attempts"), e.getMessage());
        assertEquals(2, attempts(set));
    }
}
