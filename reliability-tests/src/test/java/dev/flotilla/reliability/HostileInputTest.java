package dev.flotilla.reliability;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input refused, service unharmed: generated malformed and hostile requests at the gateway and at the services
 * behind it, each answered with a 4xx problem (RFC 9457) that gives nothing away, and the shop serving normally
 * afterwards.
 */
class HostileInputTest {
    private static final long SEED = Long.getLong("flotilla.reliability.seed", 20251126L);

    @RegisterExtension
    static final TestSystem SYSTEM = SampleShop.builder().build();

    @Test
    void everyHostileRequestGetsAProblemAndTheShopKeepsServing() throws Exception {
        int count = Integer.getInteger("flotilla.reliability.hostile-requests", Heavy.pick(1000, 10_000));
        Map<String, URI> servers = Map.of(
                "gateway", SYSTEM.service(ShopApi.SERVICE).uri(),
                "user-service", SYSTEM.service("user-service").uri(),
                "product-service", SYSTEM.service("product-service").uri(),
                "order-service", SYSTEM.service("order-service").uri());
        List<HostileRequests.Target> targets = List.of(
                new HostileRequests.Target("gateway", "/api/v1/products",
                        "{\"name\":\"Widget\",\"priceCents\":100,\"initialStock\":3}", "/api/v1/products/"),
                new HostileRequests.Target("gateway", "/api/v1/orders",
                        "{\"userId\":\"u1\",\"items\":[{\"productId\":\"p1\",\"quantity\":2}]}", "/api/v1/orders/"),
                new HostileRequests.Target("user-service", "/v1/users",
                        "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}", "/v1/users/"),
                new HostileRequests.Target("product-service", "/v1/products",
                        "{\"name\":\"Widget\",\"priceCents\":100,\"initialStock\":3}", "/v1/products/"),
                new HostileRequests.Target("order-service", "/v1/orders",
                        "{\"userId\":\"u1\",\"items\":[{\"productId\":\"p1\",\"quantity\":2}]}", "/v1/orders/"));

        Map<String, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int serverErrors = 0;
        int leaks = 0;
        // An operator's requests, allowed everywhere, so that the hostile input reaches the handlers.
        String operator = SYSTEM.userToken("hostile-operator", ShopApi.OPERATOR);
        for (HostileRequests.Hostile request : HostileRequests.generate(SEED, count, targets)) {
            RawHttp.Response response = RawHttp.send(servers.get(request.target()),
                                                     RawHttp.authorized(request.bytes(), operator));
            byStatus.merge(request.category() + ":" + response.status(), 1, Integer::sum);
            String problem = CleanProblem.whyNot(response);
            if (response.status() >= 500) {
                serverErrors++;
            }
            if (CleanProblem.leaks(response)) {
                leaks++;
            }
            if (problem != null && failures.size() < 25) {
                failures.add("#" + request.index() + " " + request.category() + " -> " + request.target() + ": "
                                     + problem + "\n    request: " + request.preview()
                                     + "\n    response: " + response.status() + " " + response.contentType() + " "
                                     + CleanProblem.abbreviate(response.body()));
            }
        }

        ShopApi shop = SYSTEM.client(ShopApi.class, ShopApi.SERVICE, operator);
        User user = SampleShop.user(shop);
        Product product = SampleShop.product(shop, 250, 2);
        Order order = shop.placeOrder(new PlaceOrder(user.id(), List.of(new OrderLine(product.id(), 1))));
        eventually(() -> assertEquals(Status.CONFIRMED, shop.order(order.id()).status()));

        Measured.scenario("hostile-requests").put("seed", SEED).put("requests", count)
                .put("5xx", serverErrors).put("bodies-with-internals", leaks)
                .put("not-4xx-problem", failures.size()).put("served-normally-after", true)
                .put("by-category-and-status", byStatus).print();
        assertTrue(failures.isEmpty(), failures.size() + " requests not answered with a 4xx problem:\n"
                + String.join("\n", failures));
        assertEquals(0, serverErrors, "no 5xx");
        assertEquals(0, leaks, "no internal detail in any body");
    }
}
