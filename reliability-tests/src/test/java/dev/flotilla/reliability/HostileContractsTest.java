package dev.flotilla.reliability;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One client cannot hurt the others: hostile requests generated from what each of the shop's services and its gateway
 * publish at {@code GET /openapi} ({@link ContractCases}), sent raw to that service, each followed by a well-formed
 * request of another client that must succeed. No hostile request may be answered with a 5xx, no circuit breaker of
 * any service may open, and every refusal is a clean problem (RFC 9457) that gives nothing away.
 *
 * <p>With {@code -Dflotilla.reliability.heavy=true} the generated set is sent three times over, each time with fresh
 * values.
 */
class HostileContractsTest {
    private static final List<String> SERVICES = List.of(ShopApi.SERVICE, "user-service", "product-service",
                                                         "inventory-service", "order-service");
    /** The size of the name that reached the database and came back as a 5xx before the contracts bounded it. */
    private static final int KNOWN_NAME = 100 * 1024;
    /**
     * How many times in a row each known case is sent: more than the half of a default breaker window (20 calls,
     * 50%) it takes to open the gateway's breaker if each were counted as a failure of the service behind it.
     */
    private static final int BURST = 12;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @RegisterExtension
    static final TestSystem SYSTEM = SampleShop.builder().build();

    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger sequence = new AtomicInteger();
    /** Every request, hostile or good, is an operator's: allowed everywhere, so the input reaches the handlers. */
    private final String operator = SYSTEM.userToken("hostile-operator", ShopApi.OPERATOR);

    @Test
    void hostileInputAtTheContractsEdgesHurtsNoOtherClient() throws Exception {
        ShopApi shop = SYSTEM.client(ShopApi.class, ShopApi.SERVICE, operator);
        User user = SampleShop.user(shop);
        Product product = SampleShop.product(shop, 150, 1_000_000);
        Map<String, Supplier<JsonNode>> examples = examples(user, product);
        Map<String, URI> uris = new LinkedHashMap<>();
        Map<String, JsonNode> documents = new LinkedHashMap<>();
        for (String service : SERVICES) {
            uris.put(service, SYSTEM.service(service).uri());
            RawHttp.Response openApi = RawHttp.send(uris.get(service), RawHttp.request("GET", "/openapi", "", null,
                                                                                        null));
            assertEquals(200, openApi.status(), service + " publishes its contract: " + openApi.body());
            documents.put(service, json.readTree(openApi.body()));
        }
        GoodClient good = new GoodClient(uris, user, product);
        double openingsBefore = breakerOpenings(uris);

        int rounds = Heavy.pick(1, 3);
        Tally tally = new Tally(serviceOnly(documents));
        long began = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            List<ContractCases.Case> cases = new ArrayList<>();
            documents.forEach((service, document) -> cases.addAll(ContractCases.of(service, document, examples,
                                                                                   json)));
            for (ContractCases.Case hostile : cases) {
                tally.record(hostile, RawHttp.send(uris.get(hostile.service()),
                                                     RawHttp.authorized(hostile.request(), operator)));
                good.next();
            }
            // The known cases in bursts, as one client retrying its bad request would send them, and then a round of
            // every kind of well-formed request.
            for (ContractCases.Case hostile : knownCases(documents, examples)) {
                for (int i = 0; i < BURST; i++) {
                    tally.record(hostile, RawHttp.send(uris.get(hostile.service()),
                                                     RawHttp.authorized(hostile.request(), operator)));
                }
                for (int i = 0; i < GoodClient.KINDS; i++) {
                    good.next();
                }
            }
        }
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        double openings = breakerOpenings(uris) - openingsBefore;
        String breakers = openBreakers(uris);

        int operations = documents.values().stream().mapToInt(d -> ContractCases.operations(d).size()).sum();
        Measured.scenario("hostile-contracts").put("services", documents.size()).put("operations", operations)
                .put("requests", tally.requests).put("5xx", tally.serverErrors)
                .put("breaker-openings", (long) openings)
                .put("good-requests", good.sent).put("good-requests-failed", good.failures.size())
                .put("not-clean-4xx-problem", tally.unclean).put("valid-bodies-refused", tally.validRefused.size())
                .put("accepted-outside-contract", tally.acceptedOutside).put("seconds", seconds)
                .put("by-category-and-status", tally.byStatus).print();
        tally.serverErrorExamples.forEach((what, example) -> System.out.println("[reliability]   5xx " + what
                + "\n      " + example));
        tally.acceptedExamples.forEach(e -> System.out.println("[reliability]   accepted outside the contract: " + e));
        good.failures.stream().limit(10).forEach(f -> System.out.println("[reliability]   good request failed: " + f));

        assertEquals(0, tally.serverErrors, tally.serverErrors + " hostile requests answered with a 5xx:\n"
                + String.join("\n", tally.serverErrorExamples.values()));
        assertEquals(0, (long) openings, "circuit breakers opened; now open: " + breakers);
        assertTrue(good.failures.isEmpty(), good.failures.size() + " well-formed requests of another client failed:\n"
                + String.join("\n", good.failures.subList(0, Math.min(20, good.failures.size()))));
        assertTrue(tally.uncleanExamples.isEmpty(), tally.unclean + " refusals are not clean 4xx problems:\n"
                + String.join("\n", tally.uncleanExamples));
        assertTrue(tally.validRefused.isEmpty(), "the generator's valid bodies must be accepted, or its cases test "
                + "nothing beyond the first check (fix the examples in this test): " + tally.validRefused);
        assertEquals("", breakers, "no circuit breaker open at the end");
    }

    /**
     * The case that took the shop down: a 100 kB name, posted through the gateway and to the services directly, with
     * everything else valid. It reached the database ({@code VARCHAR(200)}) and came back as a 500, a 503 at the
     * gateway, and a few of those opened the gateway's breaker for everyone.
     */
    private List<ContractCases.Case> knownCases(Map<String, JsonNode> documents,
                                                Map<String, Supplier<JsonNode>> examples) {
        String[][] targets = {
            {ShopApi.SERVICE, "/api/v1/users"}, {ShopApi.SERVICE, "/api/v1/products"},
            {"user-service", "/v1/users"}, {"product-service", "/v1/products"}, {"product-service", "/v2/products"}};
        List<ContractCases.Case> cases = new ArrayList<>();
        for (String[] target : targets) {
            ObjectNode body = (ObjectNode) ContractCases.validBody(documents.get(target[0]), "POST", target[1],
                                                                   examples);
            body.put("name", "n".repeat(KNOWN_NAME));
            cases.add(new ContractCases.Case(target[0], "POST " + target[1], "known-100kB-name", "name: 100 kB",
                                             ContractCases.Expect.REJECTED,
                                             RawHttp.request("POST", target[1], "", "application/json",
                                                             body.toString().getBytes(StandardCharsets.UTF_8))));
        }
        return cases;
    }

    /** Valid values the schemas cannot make: existing ids, the catalog's currency, unused e-mail addresses. */
    private Map<String, Supplier<JsonNode>> examples(User user, Product product) {
        Map<String, Supplier<JsonNode>> examples = new TreeMap<>();
        examples.put("name", () -> NODES.textNode("Hostile " + sequence.incrementAndGet()));
        examples.put("email", () -> NODES.textNode("hostile-" + sequence.incrementAndGet() + "@example.com"));
        examples.put("userId", () -> NODES.textNode(user.id()));
        examples.put("productId", () -> NODES.textNode(product.id()));
        examples.put("currency", () -> NODES.textNode("EUR"));
        examples.put("amount", () -> NODES.numberNode(new java.math.BigDecimal("1.50")));
        examples.put("priceCents", () -> NODES.numberNode(150));
        examples.put("initialStock", () -> NODES.numberNode(5));
        examples.put("quantity", () -> NODES.numberNode(1));
        return examples;
    }

    /** How many times a breaker of any service opened: {@code flotilla.resilience.circuit-breaker-transitions}. */
    private static double breakerOpenings(Map<String, URI> uris) {
        double total = 0;
        for (Map.Entry<String, URI> service : uris.entrySet()) {
            // Prometheus text: the raw request asks for it alone (RawHttp.request would accept JSON).
            RawHttp.Response metrics = RawHttp.send(service.getValue(), ("GET /metrics HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nConnection: close\r\nAccept: text/plain\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(200, metrics.status(), metrics.body());
            for (String line : metrics.body().split("\n")) {
                // Services in one JVM may share a registry: each counts its own breakers only.
                if (line.startsWith("flotilla_resilience_circuit_breaker_transitions_total{")
                        && line.contains("to=\"open\"") && line.contains("service=\"" + service.getKey() + "\"")) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return total;
    }

    /** The breakers that are open now, from each service's readiness details; empty when none is. */
    private static String openBreakers(Map<String, URI> uris) {
        StringBuilder open = new StringBuilder();
        for (Map.Entry<String, URI> service : uris.entrySet()) {
            String health = RawHttp.send(service.getValue(), RawHttp.request("GET", "/health/ready", "", null, null))
                    .body();
            if (health.contains("OPEN")) {
                open.append(service.getKey()).append(": ").append(health).append('\n');
            }
        }
        return open.toString();
    }

    /**
     * The operations only named services may call ({@code x-flotilla-access} with {@code services}, such as the
     * user-service's payments, for the order-service only): an operator's request is refused there with 403 before
     * its body is read, so their valid bodies are not expected to be accepted.
     */
    private static Set<String> serviceOnly(Map<String, JsonNode> documents) {
        Set<String> only = new HashSet<>();
        documents.forEach((service, document) -> document.path("paths").properties().forEach(
                path -> path.getValue().properties().forEach(operation -> {
                    if (operation.getValue().path("x-flotilla-access").has("services")) {
                        only.add(service + " " + operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                })));
        return only;
    }

    /** The counts of the responses to hostile cases, and examples of each kind of failure. */
    private static final class Tally {
        int requests;
        int serverErrors;
        int unclean;
        int acceptedOutside;
        final Map<String, Integer> byStatus = new TreeMap<>();
        final Map<String, String> serverErrorExamples = new LinkedHashMap<>();
        final List<String> uncleanExamples = new ArrayList<>();
        final List<String> acceptedExamples = new ArrayList<>();
        final List<String> validRefused = new ArrayList<>();
        private final Set<String> serviceOnly;

        Tally(Set<String> serviceOnly) {
            this.serviceOnly = serviceOnly;
        }

        void record(ContractCases.Case hostile, RawHttp.Response response) {
            requests++;
            int status = response.status();
            byStatus.merge(hostile.category() + ":" + (status < 0 ? "no-answer" : status / 100 + "xx"), 1,
                           Integer::sum);
            String where = hostile.service() + " " + hostile.operation() + " [" + hostile.what() + "]";
            if (status >= 500) {
                serverErrors++;
                serverErrorExamples.putIfAbsent(where, status + " " + CleanProblem.abbreviate(response.body()));
            } else if (status >= 400 || status < 0) {
                String why = CleanProblem.whyNot(response);
                if (why != null) {
                    unclean++;
                    if (uncleanExamples.size() < 25) {
                        uncleanExamples.add(where + ": " + why + "\n    request: " + hostile.preview()
                                + "\n    response: " + status + " " + response.contentType() + " "
                                + CleanProblem.abbreviate(response.body()));
                    }
                }
                if (hostile.category().equals("valid")
                        && !(status == 403 && serviceOnly.contains(hostile.service() + " " + hostile.operation()))) {
                    validRefused.add(where + " -> " + status + " " + CleanProblem.abbreviate(response.body()));
                }
            } else if (hostile.expect() == ContractCases.Expect.REJECTED) {
                acceptedOutside++;
                if (acceptedExamples.size() < 40) {
                    acceptedExamples.add(where + " -> " + status);
                }
            }
        }
    }

    /**
     * Another client of the shop: well-formed requests, in turn a registration, a look-up, an order and reads,
     * through the gateway and at the services directly. Each must succeed.
     */
    private final class GoodClient {
        /** How many kinds of request it sends in turn. */
        static final int KINDS = 9;
        private final Map<String, URI> uris;
        private final Product product;
        private String userId;
        private String orderId;
        int sent;
        final List<String> failures = new ArrayList<>();

        GoodClient(Map<String, URI> uris, User user, Product product) {
            this.uris = uris;
            this.product = product;
            this.userId = user.id();
        }

        void next() {
            int n = sent++;
            switch (n % KINDS) {
                case 0 -> {
                    int tag = sequence.incrementAndGet();
                    RawHttp.Response r = post(ShopApi.SERVICE, "/api/v1/users", "{\"name\":\"Good " + tag
                            + "\",\"email\":\"good-" + tag + "@example.com\"}", 201);
                    if (r != null) {
                        userId = id(r);
                    }
                }
                case 1 -> get(ShopApi.SERVICE, "/api/v1/users/" + userId);
                case 2 -> {
                    RawHttp.Response r = post(ShopApi.SERVICE, "/api/v1/orders", "{\"userId\":\"" + userId
                            + "\",\"items\":[{\"productId\":\"" + product.id() + "\",\"quantity\":1}]}", 202);
                    if (r != null) {
                        orderId = id(r);
                    }
                }
                case 3 -> get(ShopApi.SERVICE, "/api/v1/products/" + product.id());
                case 4 -> get("user-service", "/v1/users/" + userId);
                case 5 -> get("product-service", "/v2/products/" + product.id());
                case 6 -> get("inventory-service", "/v1/stock/" + product.id());
                case 7 -> get(ShopApi.SERVICE, orderId == null ? "/api/v1/products/" + product.id()
                        : "/api/v1/orders/" + orderId);
                default -> get("order-service", orderId == null ? "/v1/orders/none"
                        : "/v1/orders/" + orderId);
            }
        }

        private void get(String service, String path) {
            RawHttp.Response r = RawHttp.send(uris.get(service), RawHttp.authorized(
                    RawHttp.request("GET", path, "", null, null), operator));
            if (r.status() != 200 && !(path.endsWith("/none") && r.status() == 404)) {
                failures.add("GET " + service + path + " -> " + r.status() + " " + CleanProblem.abbreviate(r.body()));
            }
        }

        private RawHttp.Response post(String service, String path, String body, int expected) {
            RawHttp.Response r = RawHttp.send(uris.get(service), RawHttp.authorized(RawHttp.request(
                    "POST", path, "", "application/json", body.getBytes(StandardCharsets.UTF_8)), operator));
            if (r.status() != expected) {
                failures.add("POST " + service + path + " -> " + r.status() + " " + CleanProblem.abbreviate(r.body()));
                return null;
            }
            return r;
        }

        private String id(RawHttp.Response response) {
            try {
                return json.readTree(response.body()).path("id").asText();
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + response.body(), e);
            }
        }
    }
}
