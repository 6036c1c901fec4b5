package dev.flotilla.core.server;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flotilla.core.http.ContractService;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.internal.ServedRequests.DeprecatedCallListener;
import dev.flotilla.core.security.internal.HttpAuthenticator;
import io.helidon.http.HeaderNames;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A service's published HTTP contract: remembers the contracts the service serves through
 * {@link HttpContracts#serve(Class, Object)}, answers {@code GET /openapi} with their OpenAPI 3.1 document (JSON, or
 * YAML on {@code Accept: application/yaml} or {@code ?format=yaml}), and counts calls to deprecated operations as
 * the metric {@code flotilla.http.deprecated.calls}. The document carries the security schemes the service uses and
 * each operation's requirements ({@link OpenApiSecurity}). Hand-written routes are not in the document.
 */
final class OpenApiEndpoint implements DeprecatedCallListener {
    static final String PATH = "/openapi";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new YAMLMapper();

    private final String service;
    private final String version;
    private final MeterRegistry metrics;
    private final HttpAuthenticator authenticator;
    private final List<Class<?>> contracts = new CopyOnWriteArrayList<>();
    private volatile String json;
    private volatile String yaml;

    OpenApiEndpoint(String service, String version, MeterRegistry metrics, HttpAuthenticator authenticator) {
        this.service = service;
        this.version = version;
        this.metrics = metrics;
        this.authenticator = authenticator;
    }

    /** Called for every HTTP service the service registers; keeps the served contracts. */
    void registered(io.helidon.webserver.http.HttpService registered) {
        if (registered instanceof ContractService served && !contracts.contains(served.contract())) {
            contracts.add(served.contract());
        }
    }

    void routing(HttpRouting.Builder routing) {
        routing.get(PATH, this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) throws JsonProcessingException {
        boolean asYaml = req.query().first("format").asOptional().map(f -> f.equalsIgnoreCase("yaml")).orElse(false)
                || req.headers().first(HeaderNames.ACCEPT)
                .map(a -> a.toLowerCase(Locale.ROOT).contains("yaml")).orElse(false);
        if (json == null) {
            var document = HttpContracts.openApi(service, version, contracts);
            OpenApiSecurity.apply(document, authenticator);
            yaml = YAML.writeValueAsString(document);
            json = JSON.writeValueAsString(document);
        }
        res.header(HeaderNames.CONTENT_TYPE, asYaml ? "application/yaml" : "application/json");
        res.send(asYaml ? yaml : json);
    }

    @Override
    public void deprecatedCall(String operation, String caller) {
        metrics.getOrCreate(Counter.builder("flotilla.http.deprecated.calls")
                                    .addTag(Tag.create("service", service))
                                    .addTag(Tag.create("operation", operation))
                                    .addTag(Tag.create("caller", caller)))
                .increment();
    }
}
