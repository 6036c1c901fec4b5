package dev.flotilla.core.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.ContractException;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.security.internal.ServiceTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may call what over HTTP, on real servers: a vault that authenticates users (JWT, API key) and services
 * (service tokens), and two services that call it with their typed clients.
 */
class HttpSecurityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String API_KEY = "k3y-for-the-ci-bot-0123456789";

    private static final UserTokens IDP = new UserTokens("idp-1");
    private static final Map<String, String> KEYS = new HashMap<>();
    private static ServiceRuntime runtime;
    private static URI vault;
    private static URI orders;

    @BeforeAll
    static void start() throws Exception {
        for (String name : SecuredServices.names()) {
            KEYS.put(name, ServiceTokens.generateKey(name));
        }
        String trusted = ServiceTokens.publicJwkSet(List.copyOf(KEYS.values()));
        Map<String, String> vaultConfig = config(SecuredServices.VAULT, trusted);
        // tag::api-key[]
        vaultConfig.put("security.api-keys.ci.sha256", sha256(API_KEY));  // never the key itself
        vaultConfig.put("security.api-keys.ci.subject", "ci-bot");
        vaultConfig.put("security.api-keys.ci.roles", "operator");
        // end::api-key[]
        runtime = ServiceRuntime.builder()
                .addService(new SecuredServices.Vault(), vaultConfig)
                .addService(new SecuredServices.Relay("order-service"), config("order-service", trusted))
                .addService(new SecuredServices.Relay("billing-service"), config("billing-service", trusted))
                .build();
        runtime.start();
        vault = runtime.service(SecuredServices.VAULT).uri();
        orders = runtime.service("order-service").uri();
    }

    private static Map<String, String> config(String service, String trusted) {
        Map<String, String> config = new HashMap<>();
        config.put("server.port", "0");
        config.put("server.host", "127.0.0.1");
        config.put("shutdown.grace-period", "PT0S");
        // tag::config[]
        config.put("security.jwt.jwks", IDP.jwks());
        config.put("security.jwt.issuer", UserTokens.ISSUER);
        config.put("security.jwt.audience", UserTokens.AUDIENCE);
        config.put("security.identity.key", KEYS.get(service));
        config.put("security.identity.trusted", trusted);
        // end::config[]
        return config;
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                                                .digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    static HttpResponse<String> get(URI base, String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static String alice(String... roles) {
        return IDP.token("alice", List.of(roles), null);
    }

    private static VaultApi.Seen seen(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readValue(response.body(), VaultApi.Seen.class);
    }

    /** A 401 or 403 problem: status, media type, slug, and no credential echoed. */
    private static JsonNode problem(HttpResponse<String> response, int status, String... secrets) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(response.body());
        assertEquals(status, body.get("status").asInt());
        assertEquals("urn:flotilla:problem:" + (status == 401 ? "unauthorized" : "forbidden"),
                     body.get("type").asText());
        for (String secret : secrets) {
            assertFalse(response.body().contains(secret), "the problem echoes a credential: " + response.body());
        }
        return body;
    }

    @Test
    void anAnonymousMethodAnswersWithoutCredentialsWhileSecurityIsOn() throws IOException {
        VaultApi.Seen seen = seen(get(vault, "/public"));
        assertNull(seen.user());
        assertNull(seen.service());
    }

    @Test
    void aMethodThatDeclaresNothingRequiresAnAuthenticatedCallerOnceSecurityIsOn() throws IOException {
        HttpResponse<String> response = get(vault, "/me");
        problem(response, 401);
        assertEquals("Bearer", response.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    @Test
    void aVerifiedBearerTokenMakesTheUserKnownToTheHandler() throws IOException {
        VaultApi.Seen seen = seen(get(vault, "/me", "Authorization", bearer(alice("viewer", "operator"))));
        assertEquals(new VaultApi.Seen("alice", null, List.of("operator", "viewer")), seen);
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefusedWith401() throws IOException {
        String forged = new UserTokens("idp-1").token("alice", List.of("admin"), null);
        HttpResponse<String> response = get(vault, "/public", "Authorization", bearer(forged));
        problem(response, 401, forged);
        assertEquals("Bearer error=\"invalid_token\"", response.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    @Test
    void expiredTokensAndTokensOfAnotherIssuerOrAudienceAreRefusedWith401() throws IOException {
        Instant later = Instant.now().plusSeconds(300);
        String expired = IDP.token("alice", List.of(), null, UserTokens.ISSUER, UserTokens.AUDIENCE,
                                   Instant.now().minusSeconds(600));
        String otherIssuer = IDP.token("alice", List.of(), null, "https://evil.test", UserTokens.AUDIENCE, later);
        String otherAudience = IDP.token("alice", List.of(), null, UserTokens.ISSUER, "another-system", later);
        for (String token : List.of(expired, otherIssuer, otherAudience, "not.a.jwt")) {
            problem(get(vault, "/me", "Authorization", bearer(token)), 401, token);
        }
    }

    @Test
    void aCallerWithoutTheRoleOrScopeIsRefusedWith403() throws IOException {
        JsonNode body = problem(get(vault, "/operate", "Authorization", bearer(alice("viewer"))), 403);
        assertTrue(body.get("detail").asText().contains("roles"), body.toString());
        assertEquals("bob", seen(get(vault, "/operate", "Authorization",
                                     bearer(IDP.token("bob", List.of("admin"), null)))).user());

        problem(get(vault, "/read", "Authorization", bearer(IDP.token("carol", List.of(), "vault:write"))), 403);
        assertEquals("carol", seen(get(vault, "/read", "Authorization",
                                       bearer(IDP.token("carol", List.of(), "openid vault:read")))).user());
    }

    @Test
    void callersAreRefusedBeforeTheBodyIsRead() throws IOException {
        HttpRequest.Builder malformed = HttpRequest.newBuilder(vault.resolve("/secrets"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{oops"));
        problem(send(malformed), 401);
        problem(send(malformed.header("Authorization", bearer(alice("viewer")))), 403);
    }

    @Test
    void aServiceOnlyMethodAcceptsTheNamedServiceThroughItsTypedClient() throws IOException {
        VaultApi.Seen seen = seen(get(orders, "/relay/internal"));
        assertEquals("order-service", seen.service());
        assertNull(seen.user());
    }

    @Test
    void aServiceOnlyMethodRefusesOtherServicesAndAnonymousCallers() throws IOException {
        String billing = ServiceTokens.of("billing-service", KEYS.get("billing-service"), null, Clock.systemUTC())
                .sign(SecuredServices.VAULT, Map.of(), Duration.ofMinutes(1));
        problem(get(vault, "/internal", "Flotilla-Service-Token", billing), 403, billing);
        problem(get(vault, "/internal"), 401);
        problem(get(vault, "/internal", "Authorization", bearer(alice("admin"))), 403);
    }

    @Test
    void theCallerHeaderIsNotIdentity() throws IOException {
        problem(get(vault, "/internal", HttpContracts.CALLER_HEADER, "order-service"), 401);
        VaultApi.Seen seen = seen(get(vault, "/me", "Authorization", bearer(alice()),
                                      HttpContracts.CALLER_HEADER, "order-service"));
        assertNull(seen.service(), "a plain header named a service");
    }

    @Test
    void forgedServiceTokensAreRefusedWith401() throws Exception {
        // A key the vault does not trust, with the right name.
        String rogue = ServiceTokens.of("order-service", ServiceTokens.generateKey("order-service"), null,
                                        Clock.systemUTC()).sign(SecuredServices.VAULT, Map.of(), Duration.ofMinutes(1));
        problem(get(vault, "/internal", "Flotilla-Service-Token", rogue), 401, rogue);

        // A trusted key (billing's) signing in another service's name: kid billing-service, iss order-service.
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("order-service").subject("order-service")
                .audience(SecuredServices.VAULT).issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(60))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("billing-service")
                                              .type(new JOSEObjectType(ServiceTokens.TOKEN_TYPE)).build(), claims);
        jwt.sign(new ECDSASigner(ECKey.parse(KEYS.get("billing-service"))));
        String impostor = jwt.serialize();
        problem(get(vault, "/internal", "Flotilla-Service-Token", impostor), 401, impostor);

        // A service token is not a user token.
        String service = ServiceTokens.of("order-service", KEYS.get("order-service"), null, Clock.systemUTC())
                .sign(SecuredServices.VAULT, Map.of(), Duration.ofMinutes(1));
        problem(get(vault, "/me", "Authorization", bearer(service)), 401, service);
    }

    @Test
    void onBehalfOfAUserTheCalleeSeesTheUserAndTheCallingService() throws IOException {
        VaultApi.Seen seen = seen(get(orders, "/relay/me", "Authorization", bearer(alice("operator"))));
        assertEquals(new VaultApi.Seen("alice", "order-service", List.of("operator")), seen);
    }

    @Test
    void anApiKeyWhoseDigestIsConfiguredIdentifiesItsSubject() throws IOException {
        VaultApi.Seen seen = seen(get(vault, "/operate", "X-API-Key", API_KEY));
        assertEquals(new VaultApi.Seen("ci-bot", null, List.of("operator")), seen);
        problem(get(vault, "/public", "X-API-Key", API_KEY + "x"), 401, API_KEY);
    }

    @Test
    void theMdcHoldsTheUserAndCallingServiceButNeverTheToken() throws IOException {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger logger = (Logger) LoggerFactory.getLogger(SecuredServices.VAULT);
        logger.addAppender(captured);
        String token = alice("operator");
        try {
            seen(get(orders, "/relay/me", "Authorization", bearer(token), "X-Request-Id", "mdc-1"));
        } finally {
            logger.detachAppender(captured);
        }
        ILoggingEvent line = captured.list.stream()
                .filter(e -> "mdc-1".equals(e.getMDCPropertyMap().get(CallContext.MDC_CORRELATION_ID)))
                .findFirst().orElseThrow();
        assertEquals("alice", line.getMDCPropertyMap().get(CallContext.MDC_USER));
        assertEquals("order-service", line.getMDCPropertyMap().get(CallContext.MDC_CALLER_SERVICE));
        String signature = token.substring(token.lastIndexOf('.') + 1);
        for (ILoggingEvent event : captured.list) {
            assertFalse(event.getFormattedMessage().contains(signature), event.getFormattedMessage());
            event.getMDCPropertyMap().values().forEach(v -> assertFalse(v.contains(signature), v));
        }
    }

    @Test
    void openApiPublishesTheSchemesAndEachOperationsSecurity() throws IOException {
        JsonNode document = JSON.readTree(get(vault, "/openapi").body());
        JsonNode schemes = document.path("components").path("securitySchemes");
        assertEquals("bearer", schemes.path("bearerAuth").path("scheme").asText());
        assertEquals("JWT", schemes.path("bearerAuth").path("bearerFormat").asText());
        assertEquals("X-API-Key", schemes.path("apiKeyAuth").path("name").asText());
        assertEquals("Flotilla-Service-Token", schemes.path("serviceToken").path("name").asText());
        assertTrue(schemes.path("mutualTLS").isMissingNode(), "mutual TLS is not configured here");

        JsonNode paths = document.path("paths");
        assertEquals(JSON.readTree("[]"), paths.path("/public").path("get").path("security"));
        assertEquals(JSON.readTree("[{\"serviceToken\":[]}]"), paths.path("/internal").path("get").path("security"));
        assertEquals(JSON.readTree("[{\"bearerAuth\":[\"vault:read\"]},{\"apiKeyAuth\":[]}]"),
                     paths.path("/read").path("get").path("security"));
        assertEquals(JSON.readTree("[{\"bearerAuth\":[]},{\"apiKeyAuth\":[]},{\"serviceToken\":[]}]"),
                     paths.path("/me").path("get").path("security"));
        assertEquals(JSON.readTree("{\"roles\":[\"admin\",\"operator\"]}"),
                     paths.path("/operate").path("get").path("x-flotilla-access"));
        assertTrue(paths.path("/operate").path("get").path("responses").has("403"));
    }

    /** Both annotations on one method. */
    public interface Contradictory {
        @dev.flotilla.core.http.Get("/both")
        @Access(roles = "admin")
        @Anonymous
        String both();
    }

    @Test
    void accessAndAnonymousOnOneMethodCannotBeServed() {
        ContractException e = assertThrows(ContractException.class,
                                           () -> HttpContracts.serve(Contradictory.class, () -> "x"));
        assertTrue(e.getMessage().contains("@Access and @Anonymous"), e.getMessage());
        assertTrue(e.getMessage().contains("Contradictory.both"), e.getMessage());
    }

    @Test
    void aServiceWithoutSecurityLeavesUndeclaredMethodsOpenButFailsAccessClosed() throws IOException {
        try (ServiceRuntime plain = ServiceRuntime.builder()
                .addService(new SecuredServices.Vault(), Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                                "shutdown.grace-period", "PT0S"))
                .build()) {
            plain.start();
            URI base = plain.service(SecuredServices.VAULT).uri();
            assertNull(seen(get(base, "/me")).user());
            // The token is not even looked at: this service verifies none.
            JsonNode body = problem(get(base, "/operate", "Authorization", bearer(alice("operator"))), 401);
            assertTrue(body.get("detail").asText().contains("no way to authenticate"), body.toString());
            assertFalse(JSON.readTree(get(base, "/openapi").body()).path("components").has("securitySchemes"));
        }
    }
}
