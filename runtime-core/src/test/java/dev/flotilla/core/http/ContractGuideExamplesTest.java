package dev.flotilla.core.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.problem.NotFoundException;
import io.helidon.webserver.http.HttpRules;
import jakarta.validation.ConstraintViolationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code samples of {@code docs/http-client.md} and {@code docs/versioning.md} about constraints and declared
 * problems, compiled and run over real servers: {@link MemberApi} served by a member service, called by a front
 * service that declares the same problem and passes it through. Keep the two in step.
 */
class ContractGuideExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServiceRuntime runtime;

    // tag::served[]
    /** The member service: serves MemberApi; its constraints are checked before register() runs. */
    static final class MemberService extends Service {
        private final Map<String, MemberApi.Member> members = new ConcurrentHashMap<>();

        MemberService() {
            super("member-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(MemberApi.class, new MemberApi() {
                @Override
                public Member register(NewMember member) {
                    Member stored = new Member(UUID.randomUUID().toString(), member.name(), member.email());
                    if (members.values().stream().anyMatch(m -> m.email().equals(member.email()))) {
                        throw new EmailTakenException("A member with e-mail " + member.email() + " exists");
                    }
                    members.put(stored.id(), stored);
                    return stored;
                }

                @Override
                public Member get(String id) {
                    Member member = members.get(id);
                    if (member == null) {
                        throw new NotFoundException("No member " + id);
                    }
                    return member;
                }
            }));
        }
    }
    // end::served[]

    // tag::pass-through[]
    /** The front's own contract declares the same problem as the method it calls... */
    public interface FrontApi {
        @Post("/api/members")
        @ResponseStatus(201)
        MemberApi.Member join(@Body MemberApi.NewMember member) throws MemberApi.EmailTakenException;
    }

    /** ...so the EmailTakenException its client throws passes through: the front answers it too. */
    static final class FrontService extends Service {
        FrontService() {
            super("front", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            MemberApi members = context.client(MemberApi.class, "member-service");
            rules.register(HttpContracts.serve(FrontApi.class, members::register));
        }
    }
    // end::pass-through[]

    @BeforeAll
    static void start() {
        Map<String, String> config = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                            "shutdown.grace-period", "PT0S");
        runtime = ServiceRuntime.builder()
                .addService(new MemberService(), config)
                .addService(new FrontService(), config)
                .build();
        runtime.start();
    }

    @AfterAll
    static void stop() {
        runtime.stop();
    }

    @Test
    void anInvalidBodyIsAnsweredWithEveryOffendingField() throws Exception {
        URI members = runtime.service("member-service").uri().resolve("/v1/members");
        // tag::invalid[]
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(members).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"\", \"email\": \"ada\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        // 400 application/problem+json:
        // {"type": "urn:flotilla:problem:invalid-request", "title": "Invalid Request", "status": 400,
        //  "detail": "Invalid request: email: must be a well-formed email address; name: must not be blank.",
        //  "errors": [{"pointer": "#/email", "detail": "must be a well-formed email address"},
        //             {"pointer": "#/name", "detail": "must not be blank"}], ...}
        // end::invalid[]
        assertEquals(400, response.statusCode());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals("urn:flotilla:problem:invalid-request", problem.path("type").asText());
        assertEquals("Invalid request: email: must be a well-formed email address; name: must not be blank.",
                     problem.path("detail").asText());
        assertEquals(JSON.readTree("""
                [{"pointer": "#/email", "detail": "must be a well-formed email address"},
                 {"pointer": "#/name", "detail": "must not be blank"}]"""), problem.path("errors"));

        HttpResponse<String> longId = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(members.resolve("/v1/members/" + "x".repeat(37))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(JSON.readTree("""
                [{"parameter": "id", "in": "path", "detail": "size must be between 0 and 36"}]"""),
                     JSON.readTree(longId.body()).path("errors"));
    }

    @Test
    void aDeclaredProblemIsThrownByTheClientAndPassedThroughByTheFront() {
        ServiceContext caller = runtime.service("front").context();
        // tag::called[]
        MemberApi members = caller.client(MemberApi.class, "member-service");
        members.register(new MemberApi.NewMember("Ada", "ada@example.com"));
        try {
            members.register(new MemberApi.NewMember("Ada L.", "ada@example.com"));
        } catch (MemberApi.EmailTakenException e) {          // declared: thrown as itself
            assertEquals(409, e.problem().status());
            assertEquals("A member with e-mail ada@example.com exists", e.problem().detail());
        }
        // end::called[]
        assertThrows(MemberApi.EmailTakenException.class,
                     () -> members.register(new MemberApi.NewMember("Ada", "ada@example.com")));
        assertThrows(RemoteNotFoundException.class, () -> members.get("nobody"), "undeclared: a remote problem");

        FrontApi front = caller.client(FrontApi.class, "front");
        MemberApi.EmailTakenException passed = assertThrows(MemberApi.EmailTakenException.class,
                () -> front.join(new MemberApi.NewMember("Ada", "ada@example.com")));
        assertEquals("urn:flotilla:problem:email-taken", passed.problem().type().toString());
        assertEquals("/api/members", passed.problem().instance(), "answered by the front itself");
    }

    @Test
    void aClientCanValidateBeforeSending() {
        // tag::validating-client[]
        try (ServiceClients clients = ServiceClients.builder()
                .validateRequests(true)        // or clients.member-service.validate-requests: true in a service
                .discovery(name -> List.of(runtime.service("member-service").uri()))
                .build()) {
            MemberApi members = clients.create(MemberApi.class, "member-service");
            ConstraintViolationException e = assertThrows(ConstraintViolationException.class,
                    () -> members.register(new MemberApi.NewMember("", "ada@example.com")));
            // "Invalid request to member-service (MemberApi.register), not sent: name: must not be blank."
            // end::validating-client[]
            assertEquals("Invalid request to member-service (MemberApi.register), not sent: name: must not be "
                                 + "blank.", e.getMessage());
        }
    }

    @Test
    void theDocumentShowsTheConstraintsAndTheDeclaredProblem() {
        // tag::document[]
        ObjectNode document = HttpContracts.openApi("member-service", "1.0.0", List.of(MemberApi.class));
        // components/schemas/MemberApi.NewMember:
        //   "name":  {"type": "string", "minLength": 1, "maxLength": 200}
        //   "email": {"type": "string", "maxLength": 320, "format": "email"}, "required": ["email", "name"]
        // paths./v1/members.post.responses."409":
        //   {"description": "E-mail already registered (urn:flotilla:problem:email-taken, EmailTakenException).",
        //    "content": {"application/problem+json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Problem"},
        //        {"properties": {"type": {"enum": ["urn:flotilla:problem:email-taken"]}}}]}}}}
        // end::document[]
        JsonNode newMember = document.at("/components/schemas/MemberApi.NewMember");
        assertEquals(200, newMember.at("/properties/name/maxLength").asInt());
        assertEquals(1, newMember.at("/properties/name/minLength").asInt());
        assertEquals(320, newMember.at("/properties/email/maxLength").asInt());
        assertEquals("email", newMember.at("/properties/email/format").asText());
        assertEquals("[\"email\",\"name\"]", newMember.path("required").toString());
        JsonNode taken = document.at("/paths/~1v1~1members/post/responses/409");
        assertEquals("E-mail already registered (urn:flotilla:problem:email-taken, EmailTakenException).",
                     taken.path("description").asText());
        assertEquals("urn:flotilla:problem:email-taken", taken.at(
                "/content/application~1problem+json/schema/allOf/1/properties/type/enum/0").asText());
        assertTrue(document.at("/paths/~1v1~1members~1{id}/get/parameters/0/schema/maxLength").asInt() == 36);
    }
}
