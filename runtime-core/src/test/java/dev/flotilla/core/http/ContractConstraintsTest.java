package dev.flotilla.core.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.discovery.StaticDiscovery;
import io.helidon.webserver.http.HttpRules;
import jakarta.validation.ConstraintViolationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A contract's constraints and declared problems over a real server: violations answered with 400 before the
 * implementation runs, naming every field; client-side validation; declared problems thrown as their exceptions.
 */
class ContractConstraintsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static ServiceRuntime runtime;
    private static AccountServer server;
    private static URI base;
    private static AccountApi client;

    /** Serves {@link AccountApi}. */
    private static final class AccountServer extends Service {
        final AccountResource resource = new AccountResource();

        AccountServer() {
            super("account-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(AccountApi.class, resource));
        }
    }

    @BeforeAll
    static void start() {
        server = new AccountServer();
        runtime = ServiceRuntime.builder()
                .addService(server, Map.of("server.port", "0", "server.host", "127.0.0.1",
                                           "shutdown.grace-period", "PT0S"))
                .addService(new ShopServer(), Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                     "shutdown.grace-period", "PT0S"))
                .build();
        runtime.start();
        base = runtime.service("account-service").uri();
        client = runtime.service("shop-service").context().client(AccountApi.class, "account-service");
    }

    @AfterAll
    static void stop() {
        runtime.stop();
    }

    @BeforeEach
    void clear() {
        server.resource.accounts.clear();
        server.resource.closed.clear();
    }

    @Test
    void everyInvalidBodyFieldIsNamedAndTheImplementationIsNotCalled() throws Exception {
        int before = server.resource.calls.get();
        HttpResponse<String> response = send("POST", "/v1/accounts", """
                {"name": "", "email": "not an e-mail", "age": 12,
                 "address": {"street": " ", "zip": "12a"},
                 "tags": ["ok", "", "much-too-long-tag", "four"]}""", Map.of());
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals("urn:flotilla:problem:invalid-request", problem.path("type").asText());
        assertEquals(400, problem.path("status").asInt());
        assertEquals(Set.of(
                "#/address/street must not be blank",
                "#/address/zip must match \"[0-9]{5}\"",
                "#/age must be greater than or equal to 18",
                "#/email must be a well-formed email address",
                "#/name must not be blank",
                "#/tags size must be between 0 and 3",
                "#/tags/1 must not be blank",
                "#/tags/2 size must be between 0 and 10"), errors(problem));
        assertTrue(problem.path("detail").asText().startsWith("Invalid request: address/street: must not be blank; "),
                   problem.path("detail").asText());
        assertFalse(response.body().contains("Exception"), "no stack trace, no class names: " + response.body());
        assertFalse(response.body().contains("\tat "), response.body());
        assertEquals(before, server.resource.calls.get(), "the implementation never ran");
    }

    @Test
    void everyInvalidParameterIsNamedWithWhereItWas() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/accounts/0?view=everything", null,
                                             Map.of("X-Tenant", "a-tenant-name-too-long"));
        assertEquals(400, response.statusCode(), response.body());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals(Set.of(
                "path id must be greater than 0",
                "query view must match \"short|full\"",
                "header X-Tenant size must be between 0 and 8"), errors(problem));

        JsonNode search = JSON.readTree(send("GET", "/v1/accounts?name=%20&limit=500&tag=a&tag=b&tag=c&tag=d"
                + "&tag=eleven-chars", null, Map.of()).body());
        assertEquals(Set.of(
                "query name must not be blank",
                "query limit must be less than or equal to 100",
                "query tag size must be between 0 and 3",
                "query tag size must be between 0 and 10"), errors(search));
        assertEquals(Set.of("query name must not be blank"),
                     errors(JSON.readTree(send("GET", "/v1/accounts?limit=5", null, Map.of()).body())),
                     "a missing @NotBlank query parameter");
    }

    @Test
    void aValidCallReachesTheImplementation() {
        AccountApi.Account account = client.open(new AccountApi.NewAccount(
                "Ada", "ada@example.com", 36, new AccountApi.Address("Main Street 1", "12345"), List.of("vip"), null));
        assertEquals(account, client.get(account.id(), "full", "acme"));
        assertEquals(List.of(account), client.search("Ada", 10, List.of("vip")));
    }

    @Test
    void aDeclaredProblemIsThrownAsItsExceptionByTheClient() {
        AccountApi.NewAccount ada = new AccountApi.NewAccount("Ada", "ada@example.com", 36, null, null, null);
        client.open(ada);
        AccountApi.DuplicateAccountException duplicate = assertThrows(AccountApi.DuplicateAccountException.class,
                                                                      () -> client.open(ada));
        assertEquals(409, duplicate.problem().status());
        assertEquals("urn:flotilla:problem:duplicate-account", duplicate.problem().type().toString());
        assertEquals("Account already exists", duplicate.problem().title());
        assertEquals("An account with e-mail ada@example.com exists", duplicate.problem().detail());
        assertTrue(duplicate.problem().requestId() != null, "the problem as received, with the downstream's request id");
        RemoteProblemException received = (RemoteProblemException) duplicate.getSuppressed()[0];
        assertEquals("account-service", received.service());

        // Two problems with one status, told apart by their type.
        assertThrows(AccountApi.UnknownAccountException.class, () -> client.close(404));
        long id = client.open(new AccountApi.NewAccount("Bob", "bob@example.com", 40, null, null, null)).id();
        client.close(id);
        assertEquals("Account " + id + " is closed already",
                     assertThrows(AccountApi.AccountClosedException.class, () -> client.close(id)).problem().detail());
    }

    @Test
    void aProblemTheMethodDoesNotDeclareStaysARemoteProblem() {
        RemoteBadRequestException invalid = assertThrows(RemoteBadRequestException.class,
                () -> client.open(new AccountApi.NewAccount("", "ada@example.com", 36, null, null, null)));
        assertEquals("urn:flotilla:problem:invalid-request", invalid.problem().type().toString());
        assertEquals(List.of(Map.of("pointer", "#/name", "detail", "must not be blank")),
                     invalid.problem().extensions().get("errors"));
    }

    @Test
    void aDeclaredProblemThatTheServedMethodDoesNotDeclareIsAFailure() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/accounts/77/leaky", null, Map.of());
        assertEquals(500, response.statusCode(), "leaky() does not declare UnknownAccountException");
        assertEquals("urn:flotilla:problem:internal-error", JSON.readTree(response.body()).path("type").asText());
        assertEquals(422, send("GET", "/v1/accounts/77", null, Map.of()).statusCode(), "get() declares it");
    }

    @Test
    void aValidatingClientRefusesAnInvalidCallWithoutSendingIt() {
        try (ServiceClients clients = ServiceClients.builder()
                .validateRequests(true)
                .discovery(StaticDiscovery.of(Map.of("account-service", List.of(base))))
                .build()) {
            AccountApi validating = clients.create(AccountApi.class, "account-service");
            int before = server.resource.calls.get();
            ConstraintViolationException e = assertThrows(ConstraintViolationException.class,
                    () -> validating.open(new AccountApi.NewAccount("", "ada", 3, null, List.of("x".repeat(11)),
                                                                    null)));
            assertEquals("Invalid request to account-service (AccountApi.open), not sent: age: must be greater than "
                                 + "or equal to 18; email: must be a well-formed email address; name: must not be "
                                 + "blank; tags/0: size must be between 0 and 10.", e.getMessage());
            assertEquals(Set.of("age", "email", "name", "tags[0].<list element>"),
                         e.getConstraintViolations().stream()
                                 .map(v -> v.getPropertyPath().toString().replaceFirst("^open\\.\\w+\\.", ""))
                                 .collect(Collectors.toSet()));
            assertThrows(ConstraintViolationException.class, () -> validating.get(-1, null, null));
            assertEquals(before, server.resource.calls.get(), "nothing was sent");
            assertEquals("Ada", validating.open(new AccountApi.NewAccount("Ada", "a@example.com", 36, null, null, null))
                    .name(), "a valid call goes through");
        }
    }

    @Test
    void validatingCanBeSwitchedOnPerServiceInConfig() {
        io.helidon.config.Config clientsConfig = io.helidon.config.Config.just(io.helidon.config.ConfigSources.create(
                Map.of("account-service.validate-requests", "true")));
        try (ServiceClients clients = ServiceClients.builder()
                .config(clientsConfig)
                .discovery(StaticDiscovery.of(Map.of("account-service", List.of(base), "other", List.of(base))))
                .build()) {
            assertThrows(ConstraintViolationException.class,
                         () -> clients.create(AccountApi.class, "account-service").get(0, null, null));
            assertThrows(RemoteBadRequestException.class,
                         () -> clients.create(AccountApi.class, "other").get(0, null, null),
                         "not validated before sending: the server answers 400");
        }
    }

    @Test
    void anAcceptHeaderWithoutJsonIsAnsweredWith406AsTheDocumentSays() throws Exception {
        long id = client.open(new AccountApi.NewAccount("Ada", "ada@example.com", 36, null, null, null)).id();
        HttpResponse<String> get = send("GET", "/v1/accounts/" + id, null, Map.of("Accept", "text/plain"));
        assertEquals(406, get.statusCode(), get.body());
        assertEquals("urn:flotilla:problem:not-acceptable", JSON.readTree(get.body()).path("type").asText());
        HttpResponse<String> post = send("POST", "/v1/accounts", """
                {"name": "Bob", "email": "bob@example.com", "age": 40}""", Map.of("Accept", "text/plain"));
        assertEquals(406, post.statusCode(), "a JSON body, but no JSON accepted: " + post.body());
        HttpResponse<String> text = send("POST", "/v1/accounts", null, Map.of());
        assertEquals(400, text.statusCode(), "no body at all");

        JsonNode document = HttpContracts.openApi("account-service", "1", List.of(AccountApi.class));
        assertEquals("#/components/responses/NotAcceptable",
                     document.at("/paths/~1v1~1accounts~1{id}/get/responses/406/$ref").asText());
        assertTrue(document.at("/paths/~1v1~1accounts~1{id}~1close/post/responses/406").isMissingNode(),
                   "void: nothing to accept");
    }

    /** The {@code errors} member as {@code "<where> <detail>"} lines. */
    private static Set<String> errors(JsonNode problem) {
        assertTrue(problem.path("errors").isArray(), problem.toString());
        Set<String> lines = new java.util.TreeSet<>();
        for (JsonNode error : problem.path("errors")) {
            String where = error.has("pointer") ? error.path("pointer").asText()
                    : error.path("in").asText() + " " + error.path("parameter").asText();
            lines.add(where + " " + error.path("detail").asText());
        }
        return lines;
    }

    private static HttpResponse<String> send(String method, String path, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
