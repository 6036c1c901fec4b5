package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.messaging.TestEvents.OrderCreated;
import dev.flotilla.messaging.TestEvents.Price;
import dev.flotilla.messaging.TestEvents.PriceQuery;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.Test;

/** End to end through runtime-core: services find messaging with context.extension(Messaging.class). */
class ServiceRuntimeMessagingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Publishes an order event and asks for a price when started. */
    static final class OrderService extends Service {
        OrderService() {
            super("order-service", "1.0.0");
        }
    }

    /** Answers price requests and records order events. */
    static final class PricingService extends Service {
        final Queue<String> orders = new ConcurrentLinkedQueue<>();

        PricingService() {
            super("pricing-service", "2.1.0");
        }

        @Override
        protected void start(ServiceContext context) {
            Messaging messaging = context.extension(Messaging.class);
            messaging.respond("pricing.price.v1", PriceQuery.class, q -> new Price(q.payload().sku(), 250));
            messaging.subscribe("orders.order-created.v1", OrderCreated.class,
                    e -> orders.add(e.payload().orderId()));
        }
    }

    private static Map<String, String> config(String natsUrl) {
        return Map.of("server.port", "0",
                "shutdown.grace-period", "PT0S",
                "messaging.nats.servers", natsUrl,
                "messaging.nats.reconnect.initial-wait", "PT0.02S",
                "messaging.nats.reconnect.max-wait", "PT0.1S");
    }

    @Test
    void servicesTalkOverNatsAndReportReadinessAndHttpUrl() throws Exception {
        PricingService pricing = new PricingService();
        try (NatsServer server = NatsServer.start();
             ServiceRuntime runtime = ServiceRuntime.builder()
                     .addService(new OrderService(), config(server.url()))
                     .addService(pricing, config(server.url()))
                     .build()) {
            runtime.start();
            Messaging orders = runtime.service("order-service").context().extension(Messaging.class);

            assertEquals(new Price("sku-1", 250),
                    orders.request("pricing.price.v1", new PriceQuery("sku-1"), Price.class, WAIT));
            Await.until(WAIT, () -> {
                orders.publish("orders.order-created.v1", new OrderCreated("o-1", 1, java.time.Instant.EPOCH));
                return pricing.orders.contains("o-1");
            }, "order event reached the pricing service");

            URI pricingUri = runtime.service("pricing-service").uri();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(pricingUri.resolve("/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(NatsDiscovery.create(orders, Duration.ofMillis(300)).instances("pricing-service")
                    .equals(List.of(pricingUri)), "discovered " + pricingUri);
        }
    }
}
