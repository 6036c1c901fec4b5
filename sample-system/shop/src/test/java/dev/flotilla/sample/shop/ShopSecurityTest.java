package dev.flotilla.sample.shop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.messaging.MessagingHeaders;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may do what in the shop: products are created by operators only, orders are placed by signed-in users for
 * themselves, a user sees only their own orders, a caller header proves nothing, and the inventory reserves stock
 * only on the order-service's (signed) command.
 */
class ShopSecurityTest {
    @RegisterExtension
    static final TestSystem SYSTEM = Shop.system();

    private final ShopApi operator = Shop.api(SYSTEM);
    private final ShopApi anonymous = SYSTEM.client(ShopApi.class, ShopApi.SERVICE);

    @Test
    void productsAreCreatedByOperatorsOnly() {
        NewProduct lamp = new NewProduct("Lamp", 1999, 3);
        assertEquals(401, status(() -> anonymous.createProduct(lamp)));
        User ada = Shop.user(anonymous); // signing up is open to anyone
        assertEquals(403, status(() -> Shop.as(SYSTEM, ada).createProduct(lamp)));
        assertEquals("Lamp", operator.createProduct(lamp).name());
    }

    @Test
    void aSignedInUserPlacesOrdersForThemselvesAndSeesOnlyTheirOwn() {
        Product product = Shop.product(operator, 500, 10);
        User ada = Shop.user(anonymous);
        User bob = Shop.user(anonymous);
        ShopApi asAda = Shop.as(SYSTEM, ada);
        ShopApi asBob = Shop.as(SYSTEM, bob);

        assertEquals(401, status(() -> anonymous.placeOrder(Shop.order(ada, product, 1))));
        assertEquals(403, status(() -> asBob.placeOrder(Shop.order(ada, product, 1))));
        Order order = asAda.placeOrder(Shop.order(ada, product, 1));
        eventually(() -> assertEquals(Status.CONFIRMED, asAda.order(order.id()).status()));

        assertEquals(403, status(() -> asBob.order(order.id())));
        assertEquals(403, status(() -> asBob.cancelOrder(order.id())));
        assertEquals(403, status(() -> asBob.orderHistory(ada.id())));
        assertEquals(403, status(() -> asBob.user(ada.id())));
        assertEquals(401, status(() -> anonymous.order(order.id())));
        eventually(() -> assertEquals(1, asAda.orderHistory(ada.id()).size()));
        assertEquals(Status.CANCELLED, asAda.cancelOrder(order.id()).status());
    }

    @Test
    void aCallerHeaderProvesNothing() throws Exception {
        URI products = SYSTEM.service("product-service").uri().resolve("/v2/products");
        String body = "{\"name\":\"Forged\",\"price\":{\"amount\":1.00,\"currency\":\"EUR\"},\"initialStock\":1}";
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> forged = http.send(
                    HttpRequest.newBuilder(products).header("Content-Type", "application/json")
                            .header("X-Flotilla-Caller", "gateway")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, forged.statusCode(), forged.body());
            assertTrue(forged.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                       forged.headers().toString());
        }
    }

    @Test
    void theInventoryReservesNothingOnACommandTheOrderServiceDidNotSign() throws Exception {
        Product product = Shop.product(operator, 300, 4);
        String natsUrl = SYSTEM.natsUrl().orElseThrow();
        ObjectMapper json = new ObjectMapper();
        Connection rogue = Nats.connect(natsUrl);
        try {
            BlockingQueue<Message> deadLetters = new LinkedBlockingQueue<>();
            Dispatcher dispatcher = rogue.createDispatcher(deadLetters::add);
            dispatcher.subscribe("deadletter.inventory-service");
            rogue.flush(Duration.ofSeconds(2));

            byte[] ghost = json.writeValueAsBytes(new ReserveStock(
                    "ghost-1", List.of(new ReserveStock.Item(product.id(), 3))));
            // Unsigned, then with a made-up signature: neither is the order-service's.
            rogue.publish(NatsMessage.builder().subject(ReserveStock.SUBJECT).data(ghost).build());
            rogue.publish(NatsMessage.builder().subject(ReserveStock.SUBJECT).data(ghost)
                                  .headers(new Headers().put(MessagingHeaders.PUBLISHER, "e30.e30.c2ln")).build());

            for (int i = 0; i < 2; i++) {
                Message dead = deadLetters.poll(20, TimeUnit.SECONDS);
                assertNotNull(dead, "the forged reserve-stock command is dead-lettered");
                String reason = dead.getHeaders().getFirst(MessagingHeaders.DEAD_LETTER_REASON);
                assertTrue(reason.startsWith("unverified publisher"), reason);
                assertEquals("ghost-1", json.readTree(new String(dead.getData(), StandardCharsets.UTF_8))
                        .get("orderId").asText());
            }
        } finally {
            rogue.close();
        }
        // Nothing was reserved for the ghost order; a real order still is.
        assertEquals(new Stock(product.id(), 4, 0), operator.stock(product.id()));
        User ada = Shop.user(anonymous);
        Order order = Shop.as(SYSTEM, ada).placeOrder(Shop.order(ada, product, 1));
        eventually(() -> assertEquals(Status.CONFIRMED, operator.order(order.id()).status()));
        eventually(() -> assertEquals(new Stock(product.id(), 3, 1), operator.stock(product.id())));
    }

    private static int status(Runnable call) {
        return assertThrows(RemoteProblemException.class, call::run).status();
    }
}
