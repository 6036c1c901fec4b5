package dev.flotilla.core.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.observability.Tracing;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With nothing configured the trace context still starts and travels; with an OTLP endpoint spans are posted. */
class TracingModesTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Answers what its own context and the catalog saw. */
    static final class RelayService extends Service {
        RelayService() {
            super("relay-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.get("/relay", (req, res) -> {
                Map<String, String> seen = context.client(CatalogApi.class, "catalog-service").echo("r");
                res.send(new ObjectMapper().writeValueAsString(Map.of(
                        "mine", CallContext.current().orElseThrow().traceParent().orElseThrow(),
                        "catalog", seen.get("traceparent"),
                        "exporting", String.valueOf(context.tracing().exporting()))));
            });
        }
    }

    private static Map<String, String> ephemeral(Map<String, String> extra) {
        Map<String, String> config = new java.util.HashMap<>(Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                                    "shutdown.grace-period", "PT0S"));
        config.putAll(extra);
        return config;
    }

    @Test
    void withNothingConfiguredATraceIsStartedAndPropagatedButNothingRecorded() throws Exception {
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new CatalogServer(), ephemeral(Map.of()))
                .addService(new RelayService(), ephemeral(Map.of())).build()) {
            runtime.start();
            Map<?, ?> body = relay(runtime);
            String mine = (String) body.get("mine");
            String catalog = (String) body.get("catalog");
            assertTrue(mine.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), mine);
            assertEquals(mine.substring(0, 36), catalog.substring(0, 36), "the catalog is in the relay's trace");
            assertFalse(mine.substring(36, 52).equals(catalog.substring(36, 52)), "with a span id of its own");
            assertEquals("false", body.get("exporting"));
        }
    }

    @Test
    void spansArePostedToTheConfiguredOtlpEndpoint() throws Exception {
        Queue<String> posts = new ConcurrentLinkedQueue<>();
        WebServer collector = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.post("/v1/traces", (req, res) -> {
                    byte[] payload = req.content().as(byte[].class);
                    posts.add(req.headers().contentType().map(Object::toString).orElse("") + " "
                                      + new String(payload, StandardCharsets.ISO_8859_1));
                    res.send();
                }))
                .build().start();
        try {
            String endpoint = "http://127.0.0.1:" + collector.port() + "/v1/traces";
            try (ServiceRuntime runtime = ServiceRuntime.builder()
                    .addService(new CatalogServer(), ephemeral(Map.of()))
                    .addService(new RelayService(), ephemeral(Map.of("tracing.otlp.endpoint", endpoint)))
                    .build()) {
                runtime.start();
                assertEquals("true", relay(runtime).get("exporting"));
            }
            // Stopping the service flushed its batch of spans to the collector.
            assertFalse(posts.isEmpty(), "spans were exported");
            String post = String.join("\n", posts);
            assertTrue(post.startsWith("application/x-protobuf"), post);
            assertTrue(post.contains("relay-service") && post.contains("GET /relay"), "service name and span name");
        } finally {
            collector.stop();
        }
    }

    @Test
    void invalidTracingConfigurationIsRefusedWithTheKey() {
        IllegalArgumentException ratio = assertThrows(IllegalArgumentException.class, () -> Tracing.create(
                "s", Config.just(ConfigSources.create(Map.of("sampler.ratio", "1.5"))), List.of()));
        assertEquals("tracing.sampler.ratio must be between 0 and 1, was 1.5", ratio.getMessage());
        IllegalArgumentException endpoint = assertThrows(IllegalArgumentException.class, () -> Tracing.create(
                "s", Config.just(ConfigSources.create(Map.of("otlp.endpoint", "collector:4318"))), List.of()));
        assertTrue(endpoint.getMessage().startsWith("tracing.otlp.endpoint must be an http(s) URL"));
    }

    private static Map<?, ?> relay(ServiceRuntime runtime) throws Exception {
        URI uri = runtime.service("relay-service").uri().resolve("/relay");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                                                  HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return new ObjectMapper().readValue(response.body(), Map.class);
    }
}
