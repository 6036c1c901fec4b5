package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.flotilla.core.security.internal.ServiceTokens;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

/**
 * The code samples of {@code docs/messaging.md}, compiled and run (on the in-JVM transport, so they need no
 * server; the NATS-only samples are exercised by {@link NatsMessagingTest}).
 */
class MessagingGuideExamplesTest {

    // tag::events[]
    /** An event: a record, encoded as JSON. Readers ignore properties they do not know. */
    record OrderCreated(String orderId, String sku, int quantity, Instant at) {
    }

    record StockQuery(String sku) {
    }

    record Stock(String sku, int available) {
    }
    // end::events[]

    @Test
    void publishSubscribeAndRequestReply() {
        InJvmBroker broker = new InJvmBroker();
        // tag::standalone[]
        Messaging orders = Messaging.builder()
                .serviceName("orders")
                .inJvm(broker)                       // or .nats(NatsSettings.builder().server(url).build())
                .build();
        Messaging inventory = Messaging.builder().serviceName("inventory").inJvm(broker).build();
        // end::standalone[]
        try (orders; inventory) {
            Queue<String> reserved = new ConcurrentLinkedQueue<>();
            // tag::subscribe[]
            // competing consumers: all instances of "inventory" share the queue group "inventory"
            inventory.subscribe("orders.order-created.v1", OrderCreated.class, message -> {
                OrderCreated event = message.payload();
                String tenant = message.header("Tenant").orElse("default");
                reserved.add(event.orderId() + "@" + tenant);
            });
            // every instance sees every message
            inventory.subscribe("orders.>", OrderCreated.class,
                    SubscriptionOptions.builder().broadcast(true).build(), message -> { });
            // end::subscribe[]

            // tag::respond[]
            inventory.respond("inventory.stock.v1", StockQuery.class, request -> {
                if (request.payload().sku().isBlank()) {
                    throw new IllegalArgumentException("sku is required"); // requester gets RemoteHandlerException
                }
                return new Stock(request.payload().sku(), 7);
            });
            // end::respond[]

            // tag::publish[]
            orders.publish("orders.order-created.v1", new OrderCreated("o-1", "sku-1", 2, Instant.now()),
                    Map.of("Tenant", "acme"));
            // end::publish[]

            // tag::request[]
            Stock stock = orders.request("inventory.stock.v1", new StockQuery("sku-1"), Stock.class,
                    Duration.ofSeconds(2));
            // end::request[]

            assertEquals(new Stock("sku-1", 7), stock);
            Await.until(Duration.ofSeconds(10), () -> reserved.contains("o-1@acme"), "event handled");
        }
    }

    /** Shown in the guide; run against a real server by {@link NatsMessagingTest}. */
    static void durableExample(Messaging messaging) {
        // tag::durable[]
        messaging.declareStream(StreamDefinition.builder("ORDERS").addSubject("orders.>").build());

        PublishAck ack = messaging.publishDurable("orders.order-created.v1",
                new OrderCreated("o-1", "sku-1", 2, Instant.now()),
                "order-created-o-1");                       // Nats-Msg-Id: a retried publish is stored once

        messaging.subscribeDurable("orders.order-created.v1", OrderCreated.class,
                SubscriptionOptions.builder()
                        .maxDeliver(5)                      // then to the dead-letter subject
                        .backoff(List.of(Duration.ofSeconds(1), Duration.ofSeconds(10)))
                        .concurrency(4)
                        .build(),
                message -> { /* ack when this returns, nak with backoff when it throws */ });
        // end::durable[]
        assertEquals("ORDERS", ack.stream());
    }

    @Test
    void durableExampleRunsAgainstNats() {
        try (NatsServer server = NatsServer.start();
             Messaging messaging = Messaging.builder().serviceName("orders")
                     .nats(NatsSettings.builder().server(server.url()).build()).build()) {
            durableExample(messaging);
        }
    }

    @Test
    void signedPublishersAreVerifiedAndShownToTheHandler() {
        InJvmBroker broker = new InJvmBroker();
        String orderKey = ServiceTokens.generateKey("order-service");
        Config orderConfig = Config.just(ConfigSources.create(Map.of("security.identity.key", orderKey)));
        Config shippingConfig = Config.just(ConfigSources.create(Map.of(
                "security.identity.trusted", ServiceTokens.publicJwkSet(List.of(orderKey)))));
        Messaging order = Messaging.builder().serviceName("order-service").identity(orderConfig).inJvm(broker).build();
        Messaging messaging = Messaging.builder().serviceName("shipping-service").identity(shippingConfig)
                .inJvm(broker).build();
        try (order; messaging) {
            Queue<String> shipped = new ConcurrentLinkedQueue<>();
            // tag::signed-publishers[]
            messaging.subscribe("orders.order-created.v1", OrderCreated.class,
                    SubscriptionOptions.builder().publishers("order-service").build(),
                    message -> shipped.add(message.payload().orderId() + " from "
                            + message.publisher().orElseThrow().service()));
            // end::signed-publishers[]
            order.publish("orders.order-created.v1", new OrderCreated("o-1", "sku-1", 1, Instant.EPOCH));
            messaging.publish("orders.order-created.v1", new OrderCreated("o-2", "sku-1", 1, Instant.EPOCH));
            Await.until(Duration.ofSeconds(10), () -> messaging.stats().unverified() == 1, "the unsigned one refused");
            Await.until(Duration.ofSeconds(10), () -> shipped.size() == 1, "the signed one handled");
            assertEquals(List.of("o-1 from order-service"), List.copyOf(shipped));
        }
    }
}
