package dev.flotilla.core.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.internal.ServedRequests;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Bodies of served contracts are written as the service's media support writes them, whether Flotilla writes the
 * JSON itself (a request accepting JSON) or leaves it to Helidon (other Accept values, text bodies).
 */
class JsonBodiesTest {
    /** A contract with a JSON body, a list and a text body. */
    public interface Api {
        /** A price. */
        record Price(long id, String currency) {
        }

        @Get("/v1/prices/{id}")
        Price price(@PathParam("id") long id);

        @Get("/v1/prices")
        List<Price> prices();

        @Get("/v1/texts/{id}")
        String text(@PathParam("id") String id);
    }

    static final class Prices extends Service {
        /** What a contract method found current on its thread, last time: the service's JSON writing and listener. */
        final AtomicReference<ServedRequests> servedSeen = new AtomicReference<>();

        Prices() {
            super("prices", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(Api.class, new Api() {
                @Override
                public Price price(long id) {
                    servedSeen.set(ServedRequests.current());
                    return new Price(id, "€");
                }

                @Override
                public List<Price> prices() {
                    return List.of(new Price(1, "EUR"), new Price(2, "€"));
                }

                @Override
                public String text(String id) {
                    return "héllo " + id;
                }
            }));
        }
    }

    private static final Prices PRICES = new Prices();
    private static ServiceRuntime runtime;
    private static URI base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        runtime = ServiceRuntime.builder()
                .addService(PRICES, Map.of("server.port", "0", "server.host", "127.0.0.1",
                                                 "shutdown.grace-period", "PT0S"))
                .build();
        runtime.start();
        base = runtime.service("prices").uri();
    }

    @AfterAll
    static void stop() {
        runtime.stop();
    }

    private static HttpResponse<byte[]> get(String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertJson(HttpResponse<byte[]> response, String json) {
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(json, new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(String.valueOf(response.body().length),
                     response.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void jsonBodiesAreUtf8JsonForRequestsThatAcceptJson() throws Exception {
        for (String accept : new String[] {null, "*/*", "application/json", "application/json;charset=ISO-8859-1"}) {
            for (int i = 0; i < 2; i++) {
                assertJson(get("/v1/prices/7", accept), "{\"id\":7,\"currency\":\"€\"}");
                assertJson(get("/v1/prices", accept), "[{\"id\":1,\"currency\":\"EUR\"},{\"id\":2,\"currency\":\"€\"}]");
            }
        }
    }

    @Test
    void aServedContractFindsItsServiceWhileTheRequestIsRoutedAndNowhereElse() throws Exception {
        PRICES.servedSeen.set(null);
        assertJson(get("/v1/prices/8", null), "{\"id\":8,\"currency\":\"€\"}");
        assertNotNull(PRICES.servedSeen.get(), "the service's JSON writing and deprecated-call listener");
        assertNull(ServedRequests.current(), "outside a request");
    }

    @Test
    void requestsThatDoNotAcceptJsonGetNotAcceptable() throws Exception {
        HttpResponse<byte[]> response = get("/v1/prices/7", "text/plain");
        assertEquals(406, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("\"type\":\"urn:flotilla:problem:not-acceptable\""), body);
        assertFalse(body.contains("dev.flotilla"), "no class names: " + body);
    }

    @Test
    void textBodiesStayText() throws Exception {
        for (String accept : new String[] {null, "application/json"}) {
            HttpResponse<byte[]> response = get("/v1/texts/x", accept);
            assertEquals(200, response.statusCode());
            assertEquals("text/plain; charset=UTF-8", response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("héllo x", new String(response.body(), StandardCharsets.UTF_8));
        }
    }
}
