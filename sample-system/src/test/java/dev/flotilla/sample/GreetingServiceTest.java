package dev.flotilla.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.ServiceRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GreetingServiceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServiceRuntime runtime;
    private static URI base;

    @BeforeAll
    static void start() {
        runtime = ServiceRuntime.builder()
                .addService(new GreetingService(), Map.of("server.port", "0", "shutdown.grace-period", "PT0S"))
                .build();
        runtime.start();
        base = runtime.service("greeting-service").uri();
    }

    @AfterAll
    static void stop() {
        runtime.stop();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void createsAndReadsAGreeting() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(base.resolve("/greetings"))
                                                    .header("Content-Type", "application/json")
                                                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ada\"}")));
        assertEquals(201, created.statusCode());
        GreetingService.Greeting greeting = JSON.readValue(created.body(), GreetingService.Greeting.class);
        assertEquals("Hello, Ada!", greeting.message());

        HttpResponse<String> read = send(HttpRequest.newBuilder(base.resolve("/greetings/" + greeting.id())).GET());
        assertEquals(greeting, JSON.readValue(read.body(), GreetingService.Greeting.class));
    }

    @Test
    void missingNameIsAProblem() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/greetings"))
                                                     .header("Content-Type", "application/json")
                                                     .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(400, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("Field 'name' is required", JSON.readTree(response.body()).get("detail").asText());
    }

    @Test
    void unknownGreetingIs404() throws Exception {
        assertEquals(404, send(HttpRequest.newBuilder(base.resolve("/greetings/999")).GET()).statusCode());
        assertEquals(404, send(HttpRequest.newBuilder(base.resolve("/greetings/not-a-number")).GET()).statusCode());
    }
}
