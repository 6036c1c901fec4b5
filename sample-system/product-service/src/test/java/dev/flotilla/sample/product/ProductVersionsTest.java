package dev.flotilla.sample.product;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.product.api.ProductApiV2.Money;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** v2 served beside the deprecated v1 over the same catalog: both clients work, v1 answers say it is going away. */
class ProductVersionsTest {
    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder().nats(NatsMode.IN_JVM).userTokens()
            .addService(new ProductService(), Map.of("db.url", "jdbc:h2:mem:product-versions-test;DB_CLOSE_DELAY=-1"))
            .build();

    @Test
    void aV2ClientGetsPricesAsMoney() {
        ProductApiV2 v2 = SYSTEM.client(ProductApiV2.class, ProductApiV2.SERVICE, operator());
        ProductApiV2.Product lamp = v2.create(new ProductApiV2.NewProduct("Lamp", money("19.99"), 7));
        assertEquals(new Money(new BigDecimal("19.99"), "EUR"), lamp.price());
        assertEquals(lamp, v2.get(lamp.id()));
        assertEquals(1999, lamp.price().cents());
        assertThrows(RemoteBadRequestException.class,
                     () -> v2.create(new ProductApiV2.NewProduct("Lamp", new Money(BigDecimal.ONE, "USD"), 1)));
        assertThrows(RemoteBadRequestException.class,
                     () -> v2.create(new ProductApiV2.NewProduct("Lamp", money("1.999"), 1)));
        assertThrows(RemoteBadRequestException.class,
                     () -> v2.create(new ProductApiV2.NewProduct("Lamp", money("-1"), 1)));
    }

    @Test
    void aV1ClientStillWorksAndIsToldOfTheSunsetAndCounted() throws Exception {
        ProductApi v1 = SYSTEM.client(ProductApi.class, ProductApi.SERVICE, operator());
        ProductApiV2 v2 = SYSTEM.client(ProductApiV2.class, ProductApiV2.SERVICE, operator());
        ProductApi.Product pen = v1.create(new ProductApi.NewProduct("Pen", 250, 3));
        assertEquals(pen, v1.get(pen.id()));
        assertEquals(new ProductApiV2.Product(pen.id(), "Pen", new Money(new BigDecimal("2.50"), "EUR")),
                     v2.get(pen.id()));

        ServiceHandle service = SYSTEM.service(ProductApi.SERVICE);
        HttpResponse<String> old = get(service.uri().resolve("/v1/products/" + pen.id()), "reports");
        assertEquals(200, old.statusCode());
        assertTrue(old.body().contains("\"priceCents\":250"), old.body());
        assertTrue(old.headers().firstValue("Deprecation").orElseThrow().startsWith("@"), old.headers().toString());
        assertEquals("Wed, 30 Jun 2027 00:00:00 GMT", old.headers().firstValue("Sunset").orElseThrow());

        HttpResponse<String> current = get(service.uri().resolve("/v2/products/" + pen.id()), "reports");
        assertEquals(200, current.statusCode());
        assertTrue(current.body().contains("\"amount\":2.50"), current.body());
        assertFalse(current.headers().firstValue("Deprecation").isPresent());
        assertFalse(current.headers().firstValue("Sunset").isPresent());

        Map<String, Map<String, Long>> calls = ((ProductService) service.service()).deprecatedV1Calls();
        assertEquals(1L, calls.get("GET /v1/products/{id}").get("reports"), calls.toString());
        assertTrue(calls.get("GET /v1/products/{id}").getOrDefault("test", 0L) >= 1, calls.toString());
        assertTrue(calls.get("POST /v1/products").getOrDefault("test", 0L) >= 1, calls.toString());
    }

    @Test
    void onlyASignedInOperatorCreatesProducts() {
        ProductApiV2.NewProduct lamp = new ProductApiV2.NewProduct("Lamp", money("19.99"), 7);
        RemoteProblemException anonymous = assertThrows(
                RemoteProblemException.class, () -> SYSTEM.client(ProductApiV2.class, ProductApiV2.SERVICE).create(lamp));
        assertEquals(401, anonymous.problem().status());
        RemoteProblemException customer = assertThrows(
                RemoteProblemException.class, () -> SYSTEM.client(ProductApiV2.class, ProductApiV2.SERVICE,
                                                                    SYSTEM.userToken("ada")).create(lamp));
        assertEquals(403, customer.problem().status());
    }

    /** A signed-in operator: the role that creates products. */
    private static String operator() {
        return SYSTEM.userToken("catalog-operator", ProductApi.OPERATOR);
    }

    private static Money money(String amount) {
        return new Money(new BigDecimal(amount), "EUR");
    }

    private static HttpResponse<String> get(URI uri, String caller) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(uri).header("X-Flotilla-Caller", caller)
                                       .header("Authorization", "Bearer " + operator()).GET().build(),
                               HttpResponse.BodyHandlers.ofString());
        }
    }
}
