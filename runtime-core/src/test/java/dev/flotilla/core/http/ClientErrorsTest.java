package dev.flotilla.core.http;

import java.time.Duration;
import java.util.Map;

import dev.failsafe.CircuitBreaker;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.resilience.Deadline;
import dev.flotilla.resilience.PolicySet;
import dev.flotilla.resilience.PolicyStats;
import dev.flotilla.resilience.Resilience;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A downstream that answers the caller's mistakes (4xx) is healthy: those answers must not open its circuit breaker
 * nor spend the retry budget, or one client sending bad input would cut every other client off. Only what is the
 * downstream's fault counts: 5xx, timeouts, connection failures.
 */
class ClientErrorsTest {
    private static final int[] CLIENT_ERRORS = {400, 404, 409, 422};
    private static final String TARGET = "strict-service";

    /** Answers each call with the status in its path; 200 with "ok" for {@code /v1/good}. */
    public interface StrictApi {
        @Get("/v1/answers/{status}")
        String read(@PathParam("status") int status);

        @Post("/v1/answers/{status}")
        String write(@PathParam("status") int status);

        @Get("/v1/good")
        String good();

        @Get("/v1/echo/{text}")
        String echo(@PathParam("text") String text);
    }

    private static final class StrictResource implements StrictApi {
        @Override
        public String read(int status) {
            return answer(status);
        }

        @Override
        public String write(int status) {
            return answer(status);
        }

        @Override
        public String good() {
            return "ok";
        }

        @Override
        public String echo(String text) {
            return text;
        }

        private static String answer(int status) {
            throw new ProblemException(Problem.of("client-error", status, "Client error", "Answered " + status));
        }
    }

    private static final class StrictServer extends Service {
        StrictServer() {
            super(TARGET, "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(StrictApi.class, new StrictResource()));
        }
    }

    private static final Map<String, String> SERVER = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                             "shutdown.grace-period", "PT0S");

    @Test
    void clientErrorsNeitherOpenTheBreakerNorSpendTheRetryBudget() {
        Map<String, String> server = SERVER;
        Map<String, String> caller = new java.util.HashMap<>(server);
        // A breaker that opens on the second counted failure in a window of four, and a small budget that does not
        // refill by itself: a 4xx counted anywhere would show at once.
        String p = "resilience." + TARGET + ".";
        caller.put(p + "circuit-breaker.window-size", "4");
        caller.put(p + "circuit-breaker.minimum-calls", "4");
        caller.put(p + "circuit-breaker.failure-rate-threshold", "50");
        caller.put(p + "circuit-breaker.open-delay", "PT60S");
        caller.put(p + "retry.max-attempts", "3");
        caller.put(p + "retry.delay", "PT0.001S");
        caller.put(p + "retry.max-delay", "PT0.002S");
        caller.put(p + "retry-budget.max-tokens", "5");
        caller.put(p + "retry-budget.min-per-second", "0");
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new StrictServer(), server)
                .addService(new ShopServer(), caller)
                .build()) {
            runtime.start();
            ServiceContext shop = runtime.service("shop-service").context();
            StrictApi hostileClient = shop.client(StrictApi.class, TARGET);
            StrictApi otherClient = shop.client(StrictApi.class, TARGET);
            Resilience resilience = shop.resilience();
            assertEquals("ok", otherClient.good());
            PolicySet calls = resilience.derived(TARGET, "calls", b -> { });
            int tokensBefore = calls.retryBudget().orElseThrow().available();

            int rounds = 30;
            for (int i = 0; i < rounds; i++) {
                // Every other round within a deadline, as a handler calls while serving a request that has one: that
                // path runs the policies as one Failsafe chain instead of the breaker directly.
                CallContext.Scope scope = i % 2 == 0 ? null : CallContext.of("shop-service", null)
                        .withDeadline(Deadline.after(Duration.ofSeconds(10))).open();
                try {
                    for (int status : CLIENT_ERRORS) {
                        RemoteProblemException read = assertThrows(RemoteProblemException.class,
                                                                   () -> hostileClient.read(status));
                        assertEquals(status, read.status());
                        RemoteProblemException write = assertThrows(RemoteProblemException.class,
                                                                    () -> hostileClient.write(status));
                        assertEquals(status, write.status());
                    }
                } finally {
                    if (scope != null) {
                        scope.close();
                    }
                }
                assertEquals("ok", otherClient.good(), "another client's good request, round " + i);
            }

            String instance = TARGET + "/" + runtime.service(TARGET).uri().getAuthority();
            Map<String, CircuitBreaker.State> states = resilience.circuitBreakerStates();
            assertEquals(CircuitBreaker.State.CLOSED, states.get(instance), states.toString());
            CircuitBreaker<Object> breaker = resilience.derived(TARGET, instance.substring(TARGET.length() + 1),
                                                                b -> { }).circuitBreaker().orElseThrow();
            assertEquals(0, breaker.getFailureCount(), "no 4xx recorded as a failure of the instance");
            PolicyStats retried = resilience.stats().get(TARGET + "/calls");
            assertEquals(0, retried.retries(), retried.toString());
            assertEquals(0, retried.retryBudgetExhausted(), retried.toString());
            assertEquals(tokensBefore, calls.retryBudget().orElseThrow().available(), "retry budget untouched");

            // The control: the same policies count a failure on the instance's side. A 503 to a read is retried
            // (spending tokens) and its failures open the breaker.
            assertThrows(ServiceCallException.class, () -> hostileClient.read(503));
            assertEquals(CircuitBreaker.State.OPEN, resilience.circuitBreakerStates().get(instance));
            int tokensAfter = calls.retryBudget().orElseThrow().available();
            assertTrue(tokensAfter < tokensBefore, "a 503 is retried: " + tokensAfter + " tokens left");
        }
    }

    @Test
    void aCallTooLongForAServerToReadIsNotSentAndCountsForNothing() {
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new StrictServer(), SERVER)
                .addService(new ShopServer(), SERVER)
                .build()) {
            runtime.start();
            ServiceContext shop = runtime.service("shop-service").context();
            StrictApi client = shop.client(StrictApi.class, TARGET);
            // "/v1/echo/" and 3,991 characters: 4,000, the most that is sent, and a server reads it.
            String longest = "a".repeat(CallRequest.MAX_TARGET_LENGTH - "/v1/echo/".length());
            assertEquals(longest, client.echo(longest));
            String encodedTooLong = "\u00e9".repeat(700);   // 4,200 characters once encoded
            for (String value : new String[] {longest + "a", encodedTooLong, "a".repeat(1_000_000)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.echo(value));
                assertTrue(e.getMessage().contains("not sent"), e.getMessage());
            }
            for (int i = 0; i < 20; i++) {
                assertThrows(IllegalArgumentException.class, () -> client.echo("a".repeat(1_000_000)));
            }
            Resilience resilience = shop.resilience();
            PolicyStats attempts = resilience.stats().get(TARGET + "/" + runtime.service(TARGET).uri().getAuthority());
            assertEquals(1, attempts.calls(), "only the call that fits was sent: " + attempts);
            assertEquals(0, attempts.failures(), attempts.toString());
            assertEquals("ok", client.good());
        }
    }
}
