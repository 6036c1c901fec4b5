package dev.flotilla.testkit;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every answer of a test system's services is checked against the contract the service publishes at
 * {@code GET /openapi}. The system here is started by hand, not as a JUnit extension, so the tests can look at the
 * failures the check reports instead of failing with them.
 */
class ContractConformanceTest {
    private static final String DECLARED_FOR_CREATE = "(declared: 201, 400, 405, 406, 413, 415, 500, 503)";

    private static TestSystem system;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        system = TestSystem.builder().nats(NatsMode.IN_JVM).addService(new ThingService()).build();
        system.start();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @BeforeEach
    void forgetEarlierAnswers() {
        mismatches();
    }

    /** What the check reports for the answers since the last check; empty when they conform. */
    private static String mismatches() {
        try {
            system.verifyContracts();
            return "";
        } catch (AssertionError e) {
            return e.getMessage();
        }
    }

    private static HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base().resolve(path)).header("Content-Type", "application/json")
                                 .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base().resolve(path)).GET().build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private static URI base() {
        return system.service(ThingService.NAME).uri();
    }

    @Test
    void anUndeclaredStatusFailsNamingTheServiceTheOperationAndTheDeclaredStatuses() throws Exception {
        assertEquals(409, post("/v1/things", "{\"name\":\"taken\",\"quantity\":1}").statusCode());

        AssertionError failure = assertThrows(AssertionError.class, system::verifyContracts);
        assertEquals("Answers that do not match their service's published contract (GET /openapi); turn the check "
                             + "off with TestSystem.builder().contractConformance(false):\n"
                             + "  - thing-service answered 409 to POST /v1/things, which its contract does not declare "
                             + DECLARED_FOR_CREATE, failure.getMessage());
        assertEquals("", mismatches(), "each answer is reported once");
    }

    @Test
    void aBodyThatDoesNotMatchItsSchemaFailsNamingTheJsonPath() {
        ThingApi things = system.client(ThingApi.class, ThingService.NAME);
        assertEquals(ThingService.NAMELESS, things.get(ThingService.NAMELESS).id());

        assertTrue(mismatches().endsWith("\n  - thing-service answered 200 to GET /v1/things/{id} with a body that "
                                                 + "does not match #/components/schemas/ThingApi.Thing: "
                                                 + "$.name: null found, string expected"), mismatches());
    }

    @Test
    void aRequestBodyOutsideTheRequestSchemaIsRefusedSoNothingNonConformingIsAccepted() throws Exception {
        // A missing primitive is refused by the runtime's JSON reading (400), so the service never accepts a body its
        // schema does not admit; the check of accepted request bodies itself is in OpenApiContractTest.
        assertEquals(400, post("/v1/things", "{\"name\":\"no quantity\"}").statusCode());
        assertEquals("", mismatches(), "the refusal is declared");
    }

    @Test
    void conformingAnswersAndRoutesOutsideTheContractPass() throws Exception {
        HttpResponse<String> created = post("/v1/things", "{\"name\":\"lamp\",\"quantity\":2}");
        assertEquals(201, created.statusCode());
        ThingApi things = system.client(ThingApi.class, ThingService.NAME);
        assertEquals("lamp", things.get("1").name());
        assertEquals(404, get("/v1/things/999").statusCode());
        assertEquals(400, post("/v1/things", "{\"name\":").statusCode());
        assertEquals(415, http.send(HttpRequest.newBuilder(base().resolve("/v1/things"))
                                            .header("Content-Type", "text/plain")
                                            .POST(HttpRequest.BodyPublishers.ofString("lamp")).build(),
                                    HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(405, http.send(HttpRequest.newBuilder(base().resolve("/v1/things/1"))
                                            .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(418, get("/v1/teapot").statusCode());
        assertEquals(404, get("/v1/nowhere").statusCode());
        assertEquals(200, get("/health").statusCode());

        assertDoesNotThrow(system::verifyContracts);
    }

    @Test
    void whatTheFaultsAnswerInTheServicesPlaceIsNotChecked() throws Exception {
        system.faults(ThingService.NAME).failRequests(1, 429);
        assertEquals(429, get("/v1/things/1").statusCode());

        assertDoesNotThrow(system::verifyContracts);
        system.faults(ThingService.NAME).clear();
    }

    @Test
    void theTestFailsAfterItsMethodWhenAnAnswerBreaksTheContract() throws Exception {
        assertEquals(409, post("/v1/things", "{\"name\":\"taken\",\"quantity\":1}").statusCode());
        ExtensionContext afterPassingTest = (ExtensionContext) Proxy.newProxyInstance(
                ExtensionContext.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getExecutionException" -> Optional.empty();
                    case "getDisplayName" -> "a passing test";
                    default -> throw new UnsupportedOperationException(method.getName());
                });

        AssertionError failure = assertThrows(AssertionError.class, () -> system.afterEach(afterPassingTest));
        assertTrue(failure.getMessage().contains("409 to POST /v1/things"), failure.getMessage());
    }

    @Test
    void aSystemBuiltWithTheCheckOffChecksNothing() throws Exception {
        try (TestSystem unchecked = TestSystem.builder().nats(NatsMode.IN_JVM).contractConformance(false)
                .addService(new ThingService()).build()) {
            unchecked.start();
            URI uri = unchecked.service(ThingService.NAME).uri().resolve("/v1/things");
            HttpResponse<String> conflict = http.send(
                    HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"taken\",\"quantity\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(409, conflict.statusCode());

            assertDoesNotThrow(unchecked::verifyContracts);
        }
    }
}
