package ${package};

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import ${package}.api.${classPrefix}Api;
import ${package}.api.${classPrefix}Api.Greeting;
import ${package}.api.${classPrefix}Api.GreetingRequest;
import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.testkit.Messages;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.ServiceName;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ${rootArtifactId}-service on a real nats-server (from the PATH), called through its contract. */
class ${classPrefix}ServiceTest {
    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder()
            .nats(NatsMode.SERVER)
            .addService(new ${classPrefix}Service())
            .build();

    @Test
    void greetsAndAnnouncesTheGreeting(@ServiceName(${classPrefix}Api.SERVICE) ${classPrefix}Api api, Messages messages) {
        assertEquals(new Greeting("Ada", "Hello, Ada!"), api.greet(new GreetingRequest("Ada")));

        Greeting event = messages.await(${classPrefix}Api.GREETED, Greeting.class, g -> g.name().equals("Ada"));
        assertEquals("Hello, Ada!", event.message());
    }

    @Test
    void refusesABlankName(@ServiceName(${classPrefix}Api.SERVICE) ${classPrefix}Api api) {
        RemoteBadRequestException e = assertThrows(RemoteBadRequestException.class,
                () -> api.greet(new GreetingRequest(" ")));
        assertEquals("Field 'name' is required", e.problem().detail());
    }

    @Test
    void isReadyOnNats(@ServiceName(${classPrefix}Api.SERVICE) ServiceHandle service) throws Exception {
        assertEquals("nats", SYSTEM.transport());
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.uri() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().startsWith("{\"status\":\"UP\""), ready.body());
    }
}
