package dev.flotilla.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A test system's services know each other out of the box (a key each, and the others' keys trusted), and a system
 * built with {@code userTokens()} mints user tokens its services accept.
 */
class TestSystemSecurityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // tag::testkit[]
    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder()
            .nats(NatsMode.IN_JVM)
            .userTokens()
            .addService(new GuardedServices.Guarded())
            .addService(new GuardedServices.Front())
            .build();
    // end::testkit[]

    private static HttpResponse<String> get(String service, String path, String token) throws Exception {
        URI base = SYSTEM.service(service).uri();
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static GuardedApi.Seen seen(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readValue(response.body(), GuardedApi.Seen.class);
    }

    @Test
    void servicesOfTheSystemCallEachOtherAsThemselves() throws Exception {
        assertEquals(new GuardedApi.Seen(null, "front-service"), seen(get("front-service", "/v1/relay/internal", null)));
    }

    @Test
    void userTokensOfTheSystemAreAcceptedAndForwardedOnTheUsersBehalf() throws Exception {
        // tag::user-token[]
        String token = SYSTEM.userToken("alice", "operator");         // a JWT every service of the system accepts
        // end::user-token[]
        assertEquals(new GuardedApi.Seen("alice", null), seen(get("guarded-service", "/v1/whoami", token)));
        assertEquals(new GuardedApi.Seen("alice", "front-service"),
                     seen(get("front-service", "/v1/relay/whoami", token)));
        assertEquals(403, get("guarded-service", "/v1/whoami", SYSTEM.userToken("bob", "viewer")).statusCode());
        assertEquals(401, get("guarded-service", "/v1/whoami", null).statusCode());
    }

    @Test
    void aSystemBuiltWithoutUserTokensMintsNone() {
        TestSystem plain = TestSystem.builder().addService(new GuardedServices.Guarded()).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plain.userToken("alice"));
        assertTrue(e.getMessage().contains("userTokens()"), e.getMessage());
    }
}
