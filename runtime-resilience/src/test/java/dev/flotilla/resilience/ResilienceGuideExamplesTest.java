package dev.flotilla.resilience;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.failsafe.CircuitBreaker;
import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import static dev.flotilla.resilience.TestSupport.resilienceConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code samples of {@code docs/resilience.md}, compiled and run. Keep the two in step.
 */
class ResilienceGuideExamplesTest {

    record User(String id) {
    }

    /** Stands in for an HTTP client. */
    static final class UserClient {
        User fetch(String id) {
            return new User(id);
        }

        User fetch(String id, Duration timeLeft) {
            assertTrue(timeLeft.compareTo(Duration.ZERO) > 0);
            return new User(id);
        }
    }

    /** An exception an HTTP client might throw for a 429 or 503 with a Retry-After header. */
    static final class ServiceUnavailable extends RuntimeException implements RetryAfter {
        private static final long serialVersionUID = 1L;
        private final transient Duration retryAfter;

        ServiceUnavailable(Duration retryAfter) {
            super("503 Service Unavailable");
            this.retryAfter = retryAfter;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }
    }

    private final UserClient client = new UserClient();

    @Test
    void fromConfig() {
        // tag::from-config[]
        Config resilienceNode = resilienceConfig(Map.of(
                "defaults.timeout.duration", "PT1S",
                "user-service.retry.max-attempts", "4",
                "user-service.circuit-breaker.failure-rate-threshold", "50"));
        Resilience resilience = Resilience.create(resilienceNode);

        User user = resilience.policies("user-service").get(() -> client.fetch("42"));
        // end::from-config[]

        assertEquals(new User("42"), user);
        assertEquals(4, resilience.policies("user-service").config().retry().maxAttempts());
    }

    @Test
    void inCode() {
        // tag::in-code[]
        Resilience resilience = Resilience.builder()
                .policies("payments", b -> b
                        .retry(r -> r
                                .retryOn(e -> e instanceof UncheckedIOException)   // only transport failures
                                .abortOn(e -> e instanceof IllegalArgumentException))
                        .circuitBreaker(cb -> cb.failureOn(e -> !(e instanceof IllegalArgumentException)))
                        .fallback(e -> "payment queued for later"))
                .build();
        String outcome = resilience.policies("payments").get(() -> {
            throw new UncheckedIOException(new java.io.IOException("connection reset"));
        });
        // end::in-code[]

        assertEquals("payment queued for later", outcome);
    }

    @Test
    void customOrder() {
        // tag::order[]
        PolicySetConfig boundedOverall = PolicySetConfig.builder()
                .order(List.of(PolicyKind.FALLBACK, PolicyKind.TIMEOUT, PolicyKind.RETRY,
                               PolicyKind.CIRCUIT_BREAKER, PolicyKind.RATE_LIMITER, PolicyKind.BULKHEAD))
                .build();
        Resilience resilience = Resilience.builder().policies("reports", boundedOverall).build();
        // end::order[]

        assertEquals(PolicyKind.TIMEOUT, resilience.policies("reports").config().order().get(1));
    }

    @Test
    void settingsInCode() {
        // tag::settings[]
        PolicySetConfig config = PolicySetConfig.builder()
                .retry(r -> r.maxAttempts(4).delay(Duration.ofMillis(200)))   // retry.*
                .circuitBreaker(cb -> cb.failureRateThreshold(60))             // circuit-breaker.*
                .timeout(t -> t.duration(Duration.ofSeconds(1)))               // timeout.*
                .bulkhead(bh -> bh.enabled(true).maxConcurrent(10))            // bulkhead.*
                .build();
        int attempts = config.retry().maxAttempts();                           // 4
        // end::settings[]

        assertEquals(4, attempts);
        assertEquals(Duration.ofMillis(200), config.retry().delay());
        assertEquals(60, config.circuitBreaker().failureRateThreshold());
        assertEquals(Duration.ofSeconds(1), config.timeout().duration());
        assertTrue(config.bulkhead().enabled());
        assertEquals(10, config.bulkhead().maxConcurrent());
    }

    @Test
    void deadline() {
        Resilience resilience = Resilience.builder().build();
        // tag::deadline[]
        Deadline deadline = Deadline.after(Duration.ofMillis(800));
        User user = resilience.policies("user-service")
                .get(deadline, d -> client.fetch("42", d.remaining()));   // send d.remaining() downstream
        // end::deadline[]

        assertEquals(new User("42"), user);
    }

    @Test
    void async() throws Exception {
        Resilience resilience = Resilience.builder().build();
        // tag::async[]
        CompletableFuture<User> future = resilience.policies("user-service").getAsync(() -> client.fetch("42"));
        // end::async[]

        assertEquals(new User("42"), future.get());
    }

    @Test
    void retryAfter() {
        Resilience resilience = Resilience.builder()
                .policies("user-service", b -> b.retry(r -> r.maxAttempts(2))
                        .circuitBreaker(cb -> cb.enabled(false)))
                .build();
        int[] attempts = {0};
        // tag::retry-after[]
        User user = resilience.policies("user-service").get(() -> {
            if (attempts[0]++ == 0) {
                throw new ServiceUnavailable(Duration.ofMillis(10));   // waits 10 ms, not the backoff
            }
            return client.fetch("42");
        });
        // end::retry-after[]

        assertEquals(new User("42"), user);
    }

    @Test
    void eventsAndHealth() {
        // tag::events[]
        Resilience resilience = Resilience.builder()
                .listener(new ResilienceListener() {
                    @Override
                    public void onCircuitBreakerStateChanged(String policySet, CircuitBreaker.State from,
                                                             CircuitBreaker.State to) {
                        // e.g. set a gauge in the metrics registry
                    }
                })
                .build();
        resilience.policies("user-service").get(() -> client.fetch("42"));

        PolicyStats stats = resilience.policies("user-service").stats();
        Map<String, CircuitBreaker.State> health = resilience.circuitBreakerStates();   // for health details
        // end::events[]

        assertEquals(1, stats.successes());
        assertEquals(Map.of("user-service", CircuitBreaker.State.CLOSED), health);
    }
}
