package dev.flotilla.core.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.core.security.internal.HttpAuthenticator;
import dev.flotilla.core.security.internal.HttpAuthenticator.Scheme;

/**
 * Adds to a service's OpenAPI document the security it enforces: {@code components.securitySchemes} for the
 * schemes the service uses, and each operation's {@code security} from its {@code x-flotilla-access} (what
 * {@code @Access} and {@code @Anonymous} declare) or, when the service authenticates its callers, the default of an
 * authenticated caller. {@code @Anonymous} operations get {@code security: []}. Stateless.
 */
final class OpenApiSecurity {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String ACCESS = "x-flotilla-access";

    private OpenApiSecurity() {
    }

    static void apply(ObjectNode document, HttpAuthenticator authenticator) {
        Set<Scheme> schemes = authenticator.schemes();
        if (!schemes.isEmpty()) {
            ObjectNode components = document.has("components") ? (ObjectNode) document.get("components")
                    : document.putObject("components");
            ObjectNode definitions = components.putObject("securitySchemes");
            for (Scheme scheme : schemes) {
                definitions.set(scheme.openApiName(), definition(scheme));
            }
        }
        JsonNode paths = document.path("paths");
        paths.properties().forEach(path -> path.getValue().properties().forEach(op -> {
            ObjectNode operation = (ObjectNode) op.getValue();
            JsonNode access = operation.get(ACCESS);
            if (access != null && access.path("anonymous").asBoolean(false)) {
                operation.putArray("security");
            } else if (access != null || authenticator.enabled()) {
                List<Map<Scheme, List<String>>> requirements = requirements(schemes, access);
                if (!requirements.isEmpty()) {
                    ArrayNode security = operation.putArray("security");
                    for (Map<Scheme, List<String>> requirement : requirements) {
                        ObjectNode entry = security.addObject();
                        requirement.forEach((scheme, scopes) -> {
                            ArrayNode names = entry.putArray(scheme.openApiName());
                            scopes.forEach(names::add);
                        });
                    }
                }
                ObjectNode responses = (ObjectNode) operation.get("responses");
                if (responses != null && !responses.has("401")) {
                    ObjectNode response = responses.putObject("401");
                    response.put("description", "The caller is not authenticated, or a credential it sent is not "
                            + "valid.");
                    response.putObject("content").putObject("application/problem+json").putObject("schema")
                            .put("$ref", "#/components/schemas/Problem");
                }
            }
        }));
    }

    /**
     * The alternatives (any one suffices) that satisfy an operation: a user credential (bearer tokens with the
     * required scopes), or a service credential; both together when it names services and also roles or scopes.
     */
    private static List<Map<Scheme, List<String>>> requirements(Set<Scheme> schemes, JsonNode access) {
        List<String> scopes = strings(access, "scopes");
        boolean userConditions = !strings(access, "roles").isEmpty() || !scopes.isEmpty();
        boolean serviceConditions = !strings(access, "services").isEmpty();
        List<Scheme> users = new ArrayList<>();
        List<Scheme> services = new ArrayList<>();
        for (Scheme scheme : schemes) {
            if (scheme != Scheme.SERVICE_TOKEN) {
                users.add(scheme);
            }
            if (scheme == Scheme.SERVICE_TOKEN || scheme == Scheme.MUTUAL_TLS) {
                services.add(scheme);
            }
        }
        List<Map<Scheme, List<String>>> out = new ArrayList<>();
        if (serviceConditions && userConditions) {
            for (Scheme user : users) {
                for (Scheme service : services) {
                    Map<Scheme, List<String>> both = new LinkedHashMap<>();
                    both.put(user, user == Scheme.BEARER ? scopes : List.of());
                    both.putIfAbsent(service, List.of());
                    out.add(both);
                }
            }
            return out;
        }
        if (!serviceConditions) {
            for (Scheme user : users) {
                out.add(Map.of(user, user == Scheme.BEARER ? scopes : List.of()));
            }
        }
        if (!userConditions) {
            for (Scheme service : services) {
                if (serviceConditions || !users.contains(service)) {
                    out.add(Map.of(service, List.of()));
                }
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode access, String field) {
        List<String> out = new ArrayList<>();
        if (access != null) {
            access.path(field).forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static ObjectNode definition(Scheme scheme) {
        ObjectNode node = NODES.objectNode();
        switch (scheme) {
            case BEARER -> node.put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT")
                    .put("description", "A JWT of the configured issuer, for this service's audience.");
            case API_KEY -> node.put("type", "apiKey").put("in", "header").put("name", HttpAuthenticator.API_KEY_HEADER)
                    .put("description", "An API key for machine clients.");
            case MUTUAL_TLS -> node.put("type", "mutualTLS")
                    .put("description", "A client certificate; its CN names the calling service or user.");
            case SERVICE_TOKEN -> node.put("type", "apiKey").put("in", "header")
                    .put("name", HttpAuthenticator.SERVICE_TOKEN_HEADER)
                    .put("description", "A short-lived ES256 token signed by the calling service (typ "
                            + "flotilla-service+jwt, aud this service), sent by Flotilla's typed clients.");
        }
        return node;
    }
}
