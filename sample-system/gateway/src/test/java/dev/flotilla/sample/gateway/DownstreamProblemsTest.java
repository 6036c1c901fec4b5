package dev.flotilla.sample.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.ConflictException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.TestSystem;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the gateway answers when a service behind it refuses or fails: the client's mistakes (4xx) come back as the
 * same 4xx with the downstream's type, title and detail and nothing more of it; a failing, refusing-the-gateway or
 * absent downstream is a 503. The user and order services are stand-ins serving their published contracts over real
 * HTTP, answering by the input; the inventory-service is not running at all.
 */
class DownstreamProblemsTest {
    @RegisterExtension
    // The stand-ins break their contracts on purpose (a 403, a bare 409, a 500 without a declared problem) to show
    // what the gateway makes of a downstream that misbehaves, so their answers are not checked against the contract.
    static final TestSystem SYSTEM = TestSystem.builder().nats(NatsMode.IN_JVM).contractConformance(false).userTokens()
            .addService(new StandIn(UserApi.SERVICE, rules -> rules.register(HttpContracts.serve(UserApi.class,
                    new StandInUsers()))))
            .addService(new StandIn(OrderApi.SERVICE, rules -> rules.register(HttpContracts.serve(OrderApi.class,
                    new StandInOrders()))))
            .addService(new GatewayService(), Map.of("db.url", "jdbc:h2:mem:gateway-downstream;DB_CLOSE_DELAY=-1"))
            .build();

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theDownstreamsClientErrorsComeBackAsTheSame4xx() throws Exception {
        // An address the gateway's contract admits, refused by the user-service.
        assertProblem(post("/api/v1/users", "{\"name\":\"Ada\",\"email\":\"ada@refused.test\"}"), 400,
                      "urn:flotilla:problem:bad-request", "Bad Request",
                      "Field 'email' must be an e-mail address, was 'ada@refused.test'");
        assertProblem(post("/api/v1/users", "{\"name\":\"Ada\",\"email\":\"taken@example.com\"}"), 409,
                      "urn:flotilla:problem:conflict", "Conflict",
                      "A user with e-mail taken@example.com is already registered");
        assertProblem(get("/api/v1/users/nobody"), 404, "urn:flotilla:problem:not-found", "Not Found",
                      "No user with id nobody");
        // ".." once decoded: no user-service URL can carry it, so the typed client refuses to send it.
        assertProblem(get("/api/v1/users/%2E%2E"), 404, "urn:flotilla:problem:not-found", "Not Found",
                      "Nothing has this id");
        HttpResponse<String> unknownUser = post("/api/v1/orders",
                "{\"userId\":\"nobody\",\"items\":[{\"productId\":\"lamp\",\"quantity\":1}]}");
        JsonNode problem = assertProblem(unknownUser, 422, "urn:flotilla:problem:unknown-user", "Unknown user",
                                         "No user with id nobody");
        assertFalse(problem.has("internal"), "the downstream's extension members stay inside: " + problem);
        assertFalse(problem.path("requestId").asText().equals(StandInOrders.REQUEST_ID), problem.toString());
        assertEquals("/api/v1/orders", problem.path("instance").asText(), "the gateway's own instance");
    }

    @Test
    void aFailingRefusingOrAbsentDownstreamIs503() throws Exception {
        assertProblem(get("/api/v1/users/broken"), 503, "urn:flotilla:problem:unavailable", "Service Unavailable",
                      "user-service is unavailable; try again later");
        assertProblem(get("/api/v1/users/forbidden"), 503, "urn:flotilla:problem:unavailable",
                      "Service Unavailable", "user-service is unavailable; try again later");
        assertProblem(get("/api/v1/inventory/lamp"), 503, "urn:flotilla:problem:unavailable",
                      "Service Unavailable", "inventory-service is unavailable; try again later");
    }

    @Test
    void clientErrorsNeverOpenTheGatewaysBreakers() throws Exception {
        for (int i = 0; i < 30; i++) {
            assertEquals(400, post("/api/v1/users", "{\"name\":\"Ada\",\"email\":\"bad-" + i + "\"}").statusCode());
            assertEquals(404, get("/api/v1/users/nobody-" + i).statusCode());
            assertEquals(422, post("/api/v1/orders",
                    "{\"userId\":\"nobody\",\"items\":[{\"productId\":\"lamp\",\"quantity\":1}]}").statusCode());
        }
        assertEquals(200, get("/api/v1/users/ada").statusCode(), "another client's good request");
        String health = get("/health/ready").body();
        assertTrue(health.contains("\"user-service/") && health.contains("\"order-service/"), health);
        assertFalse(health.contains("OPEN"), "no breaker of the gateway opened: " + health);
    }

    private JsonNode assertProblem(HttpResponse<String> response, int status, String type, String title,
                                   String detail) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(Problem.MEDIA_TYPE, response.headers().firstValue("Content-Type").orElse(""));
        JsonNode problem = json.readTree(response.body());
        assertEquals(type, problem.path("type").asText(), response.body());
        assertEquals(title, problem.path("title").asText(), response.body());
        assertEquals(status, problem.path("status").asInt(), response.body());
        assertEquals(detail, problem.path("detail").asText(), response.body());
        assertFalse(response.body().contains("Exception") || response.body().contains("dev.flotilla"),
                    "nothing of the inside: " + response.body());
        return problem;
    }

    /** The requests are an operator's, who may act for any user. */
    private final String operator = SYSTEM.userToken("shop-operator", ShopApi.OPERATOR);

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway(path)).header("Authorization", "Bearer " + operator).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway(path)).header("Content-Type", "application/json")
                                 .header("Authorization", "Bearer " + operator).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private static URI gateway(String path) {
        return SYSTEM.service(ShopApi.SERVICE).uri().resolve(path);
    }

    /** Answers as the user-service would, by the input; {@code broken} fails, {@code forbidden} refuses the caller. */
    private static final class StandInUsers implements UserApi {
        @Override
        public User register(NewUser user) {
            if (!user.email().contains("@") || user.email().endsWith("@refused.test")) {
                throw new BadRequestException("Field 'email' must be an e-mail address, was '" + user.email() + "'");
            }
            throw new ConflictException("A user with e-mail " + user.email() + " is already registered");
        }

        @Override
        public User get(String id) {
            return switch (id) {
                case "ada" -> new User("ada", "Ada", "ada@example.com");
                case "broken" -> throw new IllegalStateException("the database is gone");
                case "forbidden" -> throw new ProblemException(Problem.of("forbidden", 403, "Forbidden",
                                                                          "gateway may not read users"));
                default -> throw new NotFoundException("No user with id " + id);
            };
        }

        @Override
        public Payment charge(String id, String idempotencyKey, Charge charge) {
            throw new UnsupportedOperationException("the gateway takes no payments");
        }

        @Override
        public Payment refund(String id, String idempotencyKey, Refund refund) {
            throw new UnsupportedOperationException("the gateway refunds nothing");
        }
    }

    /** Answers as the order-service would for an unknown user, with an extension member and a request id of its own. */
    private static final class StandInOrders implements OrderApi {
        static final String REQUEST_ID = "order-service-request";

        @Override
        public Order place(PlaceOrder order) {
            throw new ProblemException(new Problem(Problem.typeUri("unknown-user"), "Unknown user", 422,
                                                   "No user with id " + order.userId(), "/v1/orders", REQUEST_ID,
                                                   Map.of("internal", "user-service lookup")));
        }

        @Override
        public Order get(String id) {
            throw new NotFoundException("No order with id " + id);
        }

        @Override
        public Order cancel(String id) {
            throw new NotFoundException("No order with id " + id);
        }
    }

    /** A stand-in for another team's service: only its published contract, served over HTTP. */
    private static final class StandIn extends Service {
        private final Consumer<HttpRules> routes;

        StandIn(String name, Consumer<HttpRules> routes) {
            super(name, "test");
            this.routes = routes;
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            routes.accept(rules);
        }
    }
}
