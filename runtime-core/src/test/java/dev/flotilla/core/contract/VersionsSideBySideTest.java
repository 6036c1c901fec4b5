package dev.flotilla.core.contract;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.flotilla.core.http.Sunset;

/** v1 and v2 of an API served by one service, called by two other services, over real servers. */
class VersionsSideBySideTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> EPHEMERAL = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                                "shutdown.grace-period", "PT0S");
    private static ServiceRuntime runtime;
    private static ProductService products;
    private static URI base;

    /** A service that only calls others. */
    static final class Caller extends Service {
        Caller(String name) {
            super(name, "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
        }
    }

    /** A v1 consumer that knows only some fields of a v1 product: a tolerant reader. */
    public interface LeanProductApiV1 {
        /** Only the id and name; the service sends more. */
        record Product(long id, String name) {
        }

        @Get("/v1/products/{id}")
        Optional<Product> get(@PathParam("id") long id);
    }

    @BeforeAll
    static void start() {
        products = new ProductService();
        runtime = ServiceRuntime.builder()
                .addService(products, EPHEMERAL)
                .addService(new Caller("gateway"), EPHEMERAL)
                .addService(new Caller("reports"), EPHEMERAL)
                .build();
        runtime.start();
        base = runtime.service("product-service").uri();
    }

    @AfterAll
    static void stop() {
        runtime.stop();
    }

    private static ServiceContext context(String name) {
        return runtime.service(name).context();
    }

    @Test
    void servesV1AndV2SideBySideAndEachClientPicksItsVersionByInterface() {
        // tag::clients[]
        ProductApiV2 v2 = context("gateway").client(ProductApiV2.class, "product-service");
        ProductApiV1 v1 = context("reports").client(ProductApiV1.class, "product-service");

        ProductApiV2.Product pen = v2.create(new ProductApiV2.NewProduct("pen", ProductService.euro("2.50")));
        assertEquals(Optional.of(new ProductApiV1.Product(pen.id(), "pen", 250)), v1.get(pen.id()));
        // end::clients[]
        assertEquals(Optional.of(pen), v2.get(pen.id()));
        assertTrue(v1.list(0).contains(new ProductApiV1.Product(pen.id(), "pen", 250)));
    }

    @Test
    void deprecatedOperationsAnswerWithDeprecationAndSunsetHeaders() throws Exception {
        ProductApiV2 v2 = context("gateway").client(ProductApiV2.class, "product-service");
        long id = v2.create(new ProductApiV2.NewProduct("ink", ProductService.euro("1.00"))).id();

        HttpResponse<String> v1 = get("/v1/products/" + id, Map.of());
        assertEquals(200, v1.statusCode());
        assertEquals(Optional.of("@1768435200"), v1.headers().firstValue("Deprecation"), "2026-01-15T00:00Z");
        assertEquals(Optional.of("Wed, 30 Jun 2027 00:00:00 GMT"), v1.headers().firstValue("Sunset"));

        HttpResponse<String> legacy = get("/v2/products/" + id + "/price-cents", Map.of());
        assertEquals("100", legacy.body());
        assertEquals(Optional.of("true"), legacy.headers().firstValue("Deprecation"), "@Deprecated has no date");
        assertEquals(Optional.empty(), legacy.headers().firstValue("Sunset"));

        HttpResponse<String> current = get("/v2/products/" + id, Map.of());
        assertEquals(Optional.empty(), current.headers().firstValue("Deprecation"));
        assertEquals(404, get("/v1/products/999999", Map.of()).statusCode());
        assertEquals(Optional.of("@1768435200"), get("/v1/products/999999", Map.of()).headers()
                .firstValue("Deprecation"), "problem responses carry the headers too");
    }

    @Test
    void countsCallsToDeprecatedOperationsPerCallingService() throws Exception {
        ProductApiV1 fromGateway = context("gateway").client(ProductApiV1.class, "product-service");
        ProductApiV1 fromReports = context("reports").client(ProductApiV1.class, "product-service");
        String operation = "GET /v1/products";
        long gatewayBefore = count(operation, "gateway");
        long reportsBefore = count(operation, "reports");
        long unknownBefore = count(operation, "unknown");

        fromGateway.list(0);
        fromReports.list(0);
        fromReports.list(1);
        get("/v1/products?page=0", Map.of());

        // tag::counts[]
        Map<String, Long> callers = products.v1.deprecatedCalls().get("GET /v1/products");
        // end::counts[]
        assertEquals(gatewayBefore + 1, callers.get("gateway"));
        assertEquals(reportsBefore + 2, callers.get("reports"));
        assertEquals(unknownBefore + 1, callers.get("unknown"), "a caller that does not say who it is");
        assertEquals(callers.get("reports"), metric(operation, "reports"), "and as a metric");
        assertEquals(callers.get("gateway"), metric(operation, "gateway"));
    }

    @Test
    void aConsumerReadsResponsesWithFieldsItDoesNotKnow() {
        ProductApiV2 v2 = context("gateway").client(ProductApiV2.class, "product-service");
        long id = v2.create(new ProductApiV2.NewProduct("cap", ProductService.euro("3.00"))).id();
        LeanProductApiV1 lean = context("reports").client(LeanProductApiV1.class, "product-service");
        assertEquals(Optional.of(new LeanProductApiV1.Product(id, "cap")), lean.get(id));
    }

    @Test
    void aServedContractAcceptsBodiesWithFieldsItDoesNotKnow() throws Exception {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/products"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"mug\",\"price\":{\"amount\":4,\"currency\":\"EUR\"},\"colour\":\"red\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("mug", JSON.readTree(created.body()).path("name").asText());
    }

    @Test
    void servesItsOpenApiDocumentAsJsonAndYaml() throws Exception {
        HttpResponse<String> json = get("/openapi", Map.of());
        assertEquals(200, json.statusCode());
        assertEquals(Optional.of("application/json"), json.headers().firstValue("Content-Type"));
        JsonNode document = JSON.readTree(json.body());
        assertEquals("3.1.0", document.path("openapi").asText());
        assertEquals("product-service", document.at("/info/title").asText());
        assertEquals("2.0.0", document.at("/info/version").asText());
        assertTrue(document.at("/paths/~1v1~1products~1{id}/get/deprecated").asBoolean());
        assertTrue(document.at("/paths/~1v2~1products/post").isObject());

        HttpResponse<String> yaml = get("/openapi", Map.of("Accept", "application/yaml"));
        assertEquals(Optional.of("application/yaml"), yaml.headers().firstValue("Content-Type"));
        assertEquals(document, new YAMLMapper().readTree(yaml.body()));
        assertEquals(document, new YAMLMapper().readTree(get("/openapi?format=yaml", Map.of()).body()));

        JsonNode callerDocument = JSON.readTree(HTTP.send(
                HttpRequest.newBuilder(runtime.service("gateway").uri().resolve("/openapi")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(List.of(), iterable(callerDocument.path("paths")), "a service without contracts");
    }

    private static List<String> iterable(JsonNode node) {
        return node.propertyStream().map(Map.Entry::getKey).toList();
    }

    private static long count(String operation, String caller) {
        return products.v1.deprecatedCalls().getOrDefault(operation, Map.of()).getOrDefault(caller, 0L);
    }

    private static long metric(String operation, String caller) {
        return context("product-service").metrics()
                .counter("flotilla.http.deprecated.calls", List.of(Tag.create("service", "product-service"),
                                                                    Tag.create("operation", operation),
                                                                    Tag.create("caller", caller)))
                .map(Counter::count).orElse(0L);
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
