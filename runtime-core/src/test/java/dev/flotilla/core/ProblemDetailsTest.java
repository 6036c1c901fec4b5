package dev.flotilla.core;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.flotilla.core.observability.CallContext;

/** Every failure reaching a caller is an RFC 9457 problem, over a real server and a real client. */
class ProblemDetailsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServiceRuntime runtime;
    private static URI base;

    @BeforeAll
    static void start() {
        runtime = ServiceRuntime.builder()
                .addService(new CatalogService(), CatalogService.ephemeral())
                .override("server.max-payload-size", "1024")
                .build();
        runtime.start();
        base = runtime.service("catalog-service").uri();
    }

    @AfterAll
    static void stop() {
        runtime.stop();
    }

    private static JsonNode problem(HttpResponse<String> response, int status, String type) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("urn:flotilla:problem:" + type, body.get("type").asText());
        assertEquals(status, body.get("status").asInt());
        assertFalse(body.get("title").asText().isBlank());
        assertTrue(body.hasNonNull("requestId"), "problem carries the request id: " + body);
        assertEquals(response.headers().firstValue("X-Request-Id").orElseThrow(), body.get("requestId").asText());
        return body;
    }

    @Test
    void validRequestsAreServed() throws Exception {
        HttpResponse<String> response = Http.post(base, "/items", "{\"name\":\"pen\",\"quantity\":3}");
        assertEquals(201, response.statusCode());
        assertEquals(Map.of("name", "pen", "quantity", 3), JSON.readValue(response.body(), Map.class));
    }

    @Test
    void malformedJsonIs400() throws Exception {
        JsonNode body = problem(Http.post(base, "/items", "{\"name\": \"pen\", "), 400, "malformed-json");
        assertTrue(body.get("detail").asText().startsWith("The request body is not valid JSON"), body.toString());
        assertEquals("/items", body.get("instance").asText());
    }

    @Test
    void wrongFieldTypeIs400NamingTheField() throws Exception {
        JsonNode body = problem(Http.post(base, "/items", "{\"name\":\"pen\",\"quantity\":\"many\"}"), 400,
                                "invalid-body");
        assertEquals("quantity", body.get("field").asText());
        assertTrue(body.get("detail").asText().contains("'quantity'"), body.toString());
    }

    @Test
    void jsonOfTheWrongFormIs400WithoutClassNames() throws Exception {
        for (String body : new String[] {"[1,2]", "\"text\"", "42", "[[[[1]]]]"}) {
            JsonNode problem = problem(Http.post(base, "/items", body), 400, "invalid-body");
            String detail = problem.get("detail").asText();
            assertFalse(detail.contains("dev.flotilla") || detail.contains("Exception") || detail.contains("`"),
                        "no class name or Jackson text in the detail: " + detail);
        }
    }

    @Test
    void aControlCharacterInTheMethodIs400NotAnInternalError() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write("G\u0000T /items HTTP/1.1\r\nHost: x\r\n\r\n"
                                                   .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            byte[] head = new byte[12];
            int read = socket.getInputStream().readNBytes(head, 0, head.length);
            assertEquals("HTTP/1.1 400", new String(head, 0, read, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void bodyThatIsNotJsonIs415() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/items"))
                                                          .header("Content-Type", "text/plain")
                                                          .POST(HttpRequest.BodyPublishers.ofString("pen")));
        problem(response, 415, "unsupported-media-type");
    }

    @Test
    void unknownRouteIs404() throws Exception {
        problem(Http.get(base, "/no/such/route"), 404, "not-found");
    }

    @Test
    void wrongMethodIs405WithAllowHeader() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/greet/ann"))
                                                          .DELETE());
        JsonNode body = problem(response, 405, "method-not-allowed");
        assertEquals("GET", response.headers().firstValue("Allow").orElseThrow());
        assertTrue(body.get("detail").asText().contains("GET"), body.toString());
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(4096) + "\",\"quantity\":1}";
        problem(Http.post(base, "/items", big), 413, "payload-too-large");
    }

    @Test
    void uncaughtExceptionIs500WithoutInternals() throws Exception {
        HttpResponse<String> response = Http.get(base, "/boom");
        JsonNode body = problem(response, 500, "internal-error");
        assertFalse(response.body().contains("hunter2"), response.body());
        assertFalse(response.body().contains("IllegalStateException"), response.body());
        assertFalse(response.body().contains("at dev.flotilla"), response.body());
        assertTrue(body.get("detail").asText().contains("requestId"));
    }

    @Test
    void aFailureAfterTheDeadlineRanOutIs504() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/boom"))
                                                          .header(CallContext.DEADLINE_HEADER, "0").GET());
        JsonNode body = problem(response, 504, "deadline-exceeded");
        assertFalse(response.body().contains("hunter2"), response.body());
        assertTrue(body.get("detail").asText().contains(CallContext.DEADLINE_HEADER), body.toString());
    }

    @Test
    void aProblemThrownAfterTheDeadlineRanOutKeepsItsStatus() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/items/42"))
                                                          .header(CallContext.DEADLINE_HEADER, "0").GET());
        problem(response, 404, "not-found");
    }

    @Test
    void aFailureWithinTheDeadlineIsStill500() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/boom"))
                                                          .header(CallContext.DEADLINE_HEADER, "60000").GET());
        problem(response, 500, "internal-error");
    }

    @Test
    void serviceExceptionsMapToTheirStatus() throws Exception {
        JsonNode notFound = problem(Http.get(base, "/items/42"), 404, "not-found");
        assertEquals("No item with id 42", notFound.get("detail").asText());
        problem(Http.get(base, "/conflict"), 409, "conflict");
        problem(Http.get(base, "/bad"), 400, "bad-request");
        problem(Http.get(base, "/unavailable"), 503, "unavailable");
    }

    @Test
    void requestIdIsTakenFromTheCallerAndEchoed() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/items/7"))
                                                          .header("X-Request-Id", "order-42-attempt-1").GET());
        assertEquals("order-42-attempt-1", problem(response, 404, "not-found").get("requestId").asText());
    }

    @Test
    void unsafeRequestIdIsReplacedByAFreshOne() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(base.resolve("/items/7"))
                                                          .header("X-Request-Id", "abc\"<script>").GET());
        String id = problem(response, 404, "not-found").get("requestId").asText();
        assertNotEquals("abc\"<script>", id);
        assertTrue(CallContext.isValidCorrelationId(id));
    }

    @Test
    void generatedRequestIdIsEchoedOnSuccess() {
        HttpResponse<String> response = Http.get(base, "/greet/ann");
        assertEquals(200, response.statusCode());
        assertTrue(CallContext.isValidCorrelationId(response.headers().firstValue("X-Request-Id").orElseThrow()));
    }
}
