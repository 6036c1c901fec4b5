package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.contract.EventContract;
import dev.flotilla.core.http.Sunset;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.service.Discovery;
import io.nats.service.InfoResponse;
import org.junit.jupiter.api.Test;

/**
 * Versioned event subjects: a publisher publishes v1 and v2 during a migration, a v1 consumer keeps working and
 * ignores fields it does not know, and the event list is published in $SRV.INFO and at /asyncapi.
 */
class EventVersioningTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    // tag::events[]
    /** Version 1: the total in cents. Deprecated, removed after the sunset. */
    @Sunset("2027-06-30")
    record OrderPlacedV1(String orderId, long totalCents) {
    }

    /** Version 2: the total as an amount and a currency. */
    record OrderPlaced(String orderId, String amount, String currency) {
    }

    /** Publishes both versions while consumers migrate. */
    static final class OrderService extends Service {
        OrderService() {
            super("order-service", "2.0.0");
        }

        @Override
        protected void start(ServiceContext context) {
            context.extension(Messaging.class).events()
                    .publishes("orders.order-placed.v1", OrderPlacedV1.class)
                    .publishes("orders.order-placed.v2", OrderPlaced.class);
        }

        static void placed(Messaging messaging, String orderId, long cents) {
            messaging.publish("orders.order-placed.v2",
                              new OrderPlaced(orderId, java.math.BigDecimal.valueOf(cents, 2).toPlainString(), "EUR"));
            messaging.publish("orders.order-placed.v1", new OrderPlacedV1(orderId, cents));   // until the sunset
        }
    }
    // end::events[]

    /** A v1 consumer written against an older, smaller record: a tolerant reader. */
    record OrderPlacedLean(String orderId) {
    }

    /** Still on v1. */
    static final class BillingService extends Service {
        final Queue<String> orders = new ConcurrentLinkedQueue<>();

        BillingService() {
            super("billing-service", "1.0.0");
        }

        @Override
        protected void start(ServiceContext context) {
            context.extension(Messaging.class).subscribe("orders.order-placed.v1", OrderPlacedLean.class,
                                                         e -> orders.add(e.payload().orderId()));
        }
    }

    private static Map<String, String> config(String natsUrl) {
        return Map.of("server.port", "0", "server.host", "127.0.0.1", "shutdown.grace-period", "PT0S",
                      "messaging.nats.servers", natsUrl);
    }

    @Test
    void aV1ConsumerKeepsWorkingWhileTheEventIsPublishedInBothVersions() throws Exception {
        BillingService billing = new BillingService();
        try (NatsServer server = NatsServer.start();
             ServiceRuntime runtime = ServiceRuntime.builder()
                     .addService(new OrderService(), config(server.url()))
                     .addService(billing, config(server.url()))
                     .build()) {
            runtime.start();
            Messaging orders = runtime.service("order-service").context().extension(Messaging.class);
            Await.until(WAIT, () -> {
                OrderService.placed(orders, "o-1", 1250);
                return billing.orders.contains("o-1");
            }, "the v1 consumer got the order, ignoring the field it does not know");

            List<EventContract> published = orders.events().events();
            assertEquals(List.of("orders.order-placed.v1", "orders.order-placed.v2"),
                         published.stream().map(EventContract::subject).toList());
            assertTrue(published.get(0).deprecated());
            assertEquals("2027-06-30", published.get(0).sunset().orElseThrow().toString());
            assertEquals("integer", published.get(0).schema().at("/properties/totalCents/type").asText());

            Messaging billingMessaging = runtime.service("billing-service").context().extension(Messaging.class);
            assertEquals(List.of(EventContract.Direction.CONSUMES),
                         billingMessaging.events().events().stream().map(EventContract::direction).toList(),
                         "a subscription to a versioned subject is recorded");

            Connection raw = Nats.connect(server.url());
            try {
                InfoResponse info = new Discovery(raw, 500, 1).info("order-service").getFirst();
                JsonNode events = EventCatalog.parseMetadata(info.getMetadata().get(EventCatalog.METADATA_KEY));
                assertEquals("orders.order-placed.v1", events.get(0).path("subject").asText());
                assertEquals("publishes", events.get(0).path("direction").asText());
                assertTrue(events.get(0).path("deprecated").asBoolean());
                assertEquals("http://" + runtime.service("order-service").uri().getAuthority(),
                             info.getMetadata().get("http.url"), "the metadata Flotilla already published stays");
                InfoResponse billingInfo = new Discovery(raw, 500, 1).info("billing-service").getFirst();
                assertTrue(billingInfo.getMetadata().get(EventCatalog.METADATA_KEY)
                                   .contains("\"direction\":\"consumes\""), billingInfo.getMetadata().toString());
            } finally {
                raw.close();
            }

            HttpResponse<String> asyncApi = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(runtime.service("order-service").uri().resolve("/asyncapi")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode document = new ObjectMapper().readTree(asyncApi.body());
            assertEquals("3.0.0", document.path("asyncapi").asText());
            assertEquals("orders.order-placed.v2", document.at("/channels/orders_order-placed_v2/address").asText());
            assertEquals("send", document.at("/operations/publish_orders_order-placed_v1/action").asText());
            assertTrue(document.at("/operations/publish_orders_order-placed_v1/x-deprecated").asBoolean());
            assertEquals("[\"string\",\"null\"]", document.at("/channels/orders_order-placed_v2/messages/payload"
                    + "/payload/schema/properties/currency/type").toString(), "a String field that may be null");
        }
    }

    @Test
    void anUnversionedOrWildcardSubjectCannotBeDeclared() {
        try (Messaging messaging = Messaging.create(b -> b.serviceName("x").inJvm(new InJvmBroker()))) {
            IllegalArgumentException error = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> messaging.events().publishes("orders.placed", String.class));
            assertTrue(error.getMessage().contains("must be concrete and end in its major version"));
        }
    }
}
