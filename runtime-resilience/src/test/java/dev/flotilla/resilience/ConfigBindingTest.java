package dev.flotilla.resilience;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.flotilla.resilience.TestSupport.resilienceConfig;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigBindingTest {

    private static Map<String, String> everyKeyChanged() {
        Map<String, String> m = new HashMap<>();
        m.put("retry.enabled", "false");
        m.put("retry.max-attempts", "4");
        m.put("retry.delay", "PT0.2S");
        m.put("retry.max-delay", "PT3S");
        m.put("retry.backoff-multiplier", "1.5");
        m.put("retry.jitter-factor", "0.1");
        m.put("circuit-breaker.enabled", "false");
        m.put("circuit-breaker.window-type", "time");
        m.put("circuit-breaker.window-size", "30");
        m.put("circuit-breaker.window-duration", "PT20S");
        m.put("circuit-breaker.minimum-calls", "5");
        m.put("circuit-breaker.failure-rate-threshold", "60");
        m.put("circuit-breaker.open-delay", "PT7S");
        m.put("circuit-breaker.half-open-calls", "2");
        m.put("timeout.enabled", "false");
        m.put("timeout.duration", "PT1.5S");
        m.put("timeout.interrupt", "false");
        m.put("bulkhead.enabled", "true");
        m.put("bulkhead.max-concurrent", "7");
        m.put("bulkhead.max-wait", "PT0.05S");
        m.put("rate-limiter.enabled", "true");
        m.put("rate-limiter.permits-per-second", "42");
        m.put("rate-limiter.max-wait", "PT0.01S");
        m.put("rate-limiter.bursty", "true");
        m.put("retry-budget.enabled", "false");
        m.put("retry-budget.ratio", "0.5");
        m.put("retry-budget.min-per-second", "3");
        m.put("retry-budget.max-tokens", "9");
        return m;
    }

    @Test
    void bindsEveryKeyOfAPolicySet() {
        Map<String, String> entries = new HashMap<>();
        everyKeyChanged().forEach((k, v) -> entries.put("user-service." + k, v));
        assertEquals(ConfigBinding.knownKeys().size(), everyKeyChanged().size(), "test covers every known key");

        PolicySetConfig c = Resilience.create(resilienceConfig(entries)).policies("user-service").config();

        assertAll(
                () -> assertFalse(c.retry().enabled()),
                () -> assertEquals(4, c.retry().maxAttempts()),
                () -> assertEquals(Duration.ofMillis(200), c.retry().delay()),
                () -> assertEquals(Duration.ofSeconds(3), c.retry().maxDelay()),
                () -> assertEquals(1.5, c.retry().backoffMultiplier()),
                () -> assertEquals(0.1, c.retry().jitterFactor()),
                () -> assertFalse(c.circuitBreaker().enabled()),
                () -> assertEquals(PolicySetConfig.CircuitBreakerSettings.WindowType.TIME,
                                   c.circuitBreaker().windowType()),
                () -> assertEquals(30, c.circuitBreaker().windowSize()),
                () -> assertEquals(Duration.ofSeconds(20), c.circuitBreaker().windowDuration()),
                () -> assertEquals(5, c.circuitBreaker().minimumCalls()),
                () -> assertEquals(60, c.circuitBreaker().failureRateThreshold()),
                () -> assertEquals(Duration.ofSeconds(7), c.circuitBreaker().openDelay()),
                () -> assertEquals(2, c.circuitBreaker().halfOpenCalls()),
                () -> assertFalse(c.timeout().enabled()),
                () -> assertEquals(Duration.ofMillis(1500), c.timeout().duration()),
                () -> assertFalse(c.timeout().interrupt()),
                () -> assertTrue(c.bulkhead().enabled()),
                () -> assertEquals(7, c.bulkhead().maxConcurrent()),
                () -> assertEquals(Duration.ofMillis(50), c.bulkhead().maxWait()),
                () -> assertTrue(c.rateLimiter().enabled()),
                () -> assertEquals(42, c.rateLimiter().permitsPerSecond()),
                () -> assertEquals(Duration.ofMillis(10), c.rateLimiter().maxWait()),
                () -> assertTrue(c.rateLimiter().bursty()),
                () -> assertFalse(c.retryBudget().enabled()),
                () -> assertEquals(0.5, c.retryBudget().ratio()),
                () -> assertEquals(3, c.retryBudget().minPerSecond()),
                () -> assertEquals(9, c.retryBudget().maxTokens()));
    }

    @Test
    void absentKeysKeepSafeBuiltInDefaults() {
        PolicySetConfig c = Resilience.create(resilienceConfig(Map.of("orders.retry.max-attempts", "4")))
                .policies("orders").config();

        assertEquals(4, c.retry().maxAttempts());
        assertEquals(PolicySetConfig.RetrySettings.DEFAULT_DELAY, c.retry().delay());
        assertEquals(PolicySetConfig.CircuitBreakerSettings.DEFAULT_FAILURE_RATE_THRESHOLD,
                     c.circuitBreaker().failureRateThreshold());
        assertEquals(PolicySetConfig.TimeoutSettings.DEFAULT_DURATION, c.timeout().duration());
        assertFalse(c.bulkhead().enabled());
        assertFalse(c.rateLimiter().enabled());
        assertEquals(PolicySetConfig.DEFAULT_ORDER, c.order());
    }

    @Test
    void nameSettingsOverrideDefaultsSectionWhichOverridesBuiltIns() {
        Resilience resilience = Resilience.create(resilienceConfig(Map.of(
                "defaults.retry.max-attempts", "5",
                "defaults.timeout.duration", "PT1S",
                "user-service.retry.max-attempts", "2")));

        assertEquals(2, resilience.policies("user-service").config().retry().maxAttempts());
        assertEquals(Duration.ofSeconds(1), resilience.policies("user-service").config().timeout().duration());
        assertEquals(5, resilience.policies("not-configured").config().retry().maxAttempts());
    }

    @Test
    void codeCustomizerAppliesOnTopOfConfig() {
        Resilience resilience = Resilience.builder()
                .config(resilienceConfig(Map.of("payments.retry.max-attempts", "4")))
                .policies("payments", b -> b.timeout(t -> t.duration(Duration.ofMillis(300))))
                .build();

        PolicySetConfig c = resilience.policies("payments").config();
        assertEquals(4, c.retry().maxAttempts());
        assertEquals(Duration.ofMillis(300), c.timeout().duration());
    }

    @Test
    void configuredNamesAreBuiltAtStartUp() {
        Resilience resilience = Resilience.create(resilienceConfig(Map.of(
                "a.retry.max-attempts", "2", "b.timeout.duration", "PT1S")));

        assertEquals(List.of("a", "b"), List.copyOf(resilience.names()));
        assertSame(resilience.policies("a"), resilience.policies("a"));
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("retry.enabled", "yes", "expected true or false"),
                Arguments.of("retry.max-attempts", "0", "at least 1"),
                Arguments.of("retry.max-attempts", "three", "expected a whole number"),
                Arguments.of("retry.delay", "PT0S", "must be positive"),
                Arguments.of("retry.delay", "100ms", "ISO-8601"),
                Arguments.of("retry.max-delay", "-PT1S", "must be positive"),
                Arguments.of("retry.max-delay", "PT0.05S", "must be at least retry.delay"),
                Arguments.of("retry.backoff-multiplier", "0.5", "between 1.0 and 100.0"),
                Arguments.of("retry.backoff-multiplier", "fast", "expected a number"),
                Arguments.of("retry.jitter-factor", "1.5", "between 0.0 and 1.0"),
                Arguments.of("circuit-breaker.enabled", "1", "expected true or false"),
                Arguments.of("circuit-breaker.window-type", "sliding", "expected count or time"),
                Arguments.of("circuit-breaker.window-size", "0", "between 1 and 10000"),
                Arguments.of("circuit-breaker.window-duration", "PT0.001S", "at least 10 ms"),
                Arguments.of("circuit-breaker.minimum-calls", "0", "at least 1"),
                Arguments.of("circuit-breaker.failure-rate-threshold", "101", "between 1 and 100"),
                Arguments.of("circuit-breaker.failure-rate-threshold", "0", "between 1 and 100"),
                Arguments.of("circuit-breaker.open-delay", "PT0S", "must be positive"),
                Arguments.of("circuit-breaker.half-open-calls", "0", "between 1 and 1000"),
                Arguments.of("timeout.enabled", "on", "expected true or false"),
                Arguments.of("timeout.duration", "PT0S", "must be positive"),
                Arguments.of("timeout.interrupt", "maybe", "expected true or false"),
                Arguments.of("bulkhead.enabled", "y", "expected true or false"),
                Arguments.of("bulkhead.max-concurrent", "0", "at least 1"),
                Arguments.of("bulkhead.max-wait", "-PT1S", "zero or positive"),
                Arguments.of("rate-limiter.enabled", "n", "expected true or false"),
                Arguments.of("rate-limiter.permits-per-second", "0", "at least 1"),
                Arguments.of("rate-limiter.max-wait", "soon", "ISO-8601"),
                Arguments.of("rate-limiter.bursty", "x", "expected true or false"),
                Arguments.of("retry-budget.enabled", "t", "expected true or false"),
                Arguments.of("retry-budget.ratio", "1.2", "between 0.0 and 1.0"),
                Arguments.of("retry-budget.min-per-second", "-1", "between 0 and 10000"),
                Arguments.of("retry-budget.max-tokens", "0", "between 1 and 1000000"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidValues")
    void refusesInvalidValueNamingTheFullKey(String key, String value, String allowed) {
        ResilienceConfigException e = assertThrows(ResilienceConfigException.class, () -> Resilience.create(
                resilienceConfig(Map.of("user-service." + key, value))));

        assertEquals("resilience.user-service." + key, e.key());
        assertTrue(e.getMessage().contains("resilience.user-service." + key), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }

    @Test
    void everyKeyHasAnInvalidValueCase() {
        List<String> covered = invalidValues().map(a -> (String) a.get()[0]).distinct().sorted().toList();
        assertEquals(ConfigBinding.knownKeys(), covered);
    }

    @Test
    void refusesInvalidValueInDefaultsSection() {
        ResilienceConfigException e = assertThrows(ResilienceConfigException.class, () -> Resilience.create(
                resilienceConfig(Map.of("defaults.retry.max-attempts", "-2"))));

        assertEquals("resilience.defaults.retry.max-attempts", e.key());
        assertEquals("Invalid value '-2' for resilience.defaults.retry.max-attempts: "
                             + "maxAttempts must be at least 1, was -2", e.getMessage());
    }

    @Test
    void refusesUnknownKeyInASection() {
        ResilienceConfigException e = assertThrows(ResilienceConfigException.class, () -> Resilience.create(
                resilienceConfig(Map.of("user-service.retry.max-attempt", "4"))));

        assertEquals("resilience.user-service.retry.max-attempt", e.key());
        assertEquals("Unknown key resilience.user-service.retry.max-attempt: section retry allows backoff-multiplier,"
                             + " delay, enabled, jitter-factor, max-attempts, max-delay", e.getMessage());
    }

    @Test
    void refusesUnknownSection() {
        ResilienceConfigException e = assertThrows(ResilienceConfigException.class, () -> Resilience.create(
                resilienceConfig(Map.of("user-service.retries.max-attempts", "4"))));

        assertEquals("resilience.user-service.retries", e.key());
        assertTrue(e.getMessage().contains("bulkhead, circuit-breaker, rate-limiter, retry, retry-budget, timeout"),
                   e.getMessage());
    }

    @Test
    void refusesValueWhereASectionIsExpected() {
        ResilienceConfigException e = assertThrows(ResilienceConfigException.class, () -> Resilience.create(
                resilienceConfig(Map.of("user-service.retry", "4"))));

        assertEquals("resilience.user-service.retry", e.key());
    }

    @Test
    void refusesMaxDelayBelowDelayInheritedFromDefaults() {
        ResilienceConfigException e = assertThrows(ResilienceConfigException.class, () -> Resilience.create(
                resilienceConfig(Map.of("defaults.retry.delay", "PT1S", "user-service.retry.max-delay", "PT0.5S"))));

        assertEquals("resilience.user-service.retry.max-delay", e.key());
        assertTrue(e.getMessage().startsWith("Invalid value for resilience.user-service.retry.max-delay: "
                                                     + "retry.max-delay (PT0.5S) must be at least retry.delay (PT1S)"),
                   e.getMessage());
    }

    @Test
    void builderRefusesOutOfRangeArgumentsNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> PolicySetConfig.builder().retry(r -> r.jitterFactor(-0.1)));
        assertEquals("jitterFactor must be between 0.0 and 1.0, was -0.1", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                     () -> PolicySetConfig.builder().order(List.of(PolicyKind.RETRY, PolicyKind.RETRY)));
        assertThrows(NullPointerException.class, () -> PolicySetConfig.builder().retry(r -> r.delay(null)));
    }

    @Test
    void refusesReservedAndDottedNames() {
        Resilience resilience = Resilience.builder().build();
        assertThrows(IllegalArgumentException.class, () -> resilience.policies("defaults"));
        assertThrows(IllegalArgumentException.class, () -> resilience.policies("a.b"));
        assertThrows(IllegalArgumentException.class, () -> resilience.policies(" "));
    }
}
