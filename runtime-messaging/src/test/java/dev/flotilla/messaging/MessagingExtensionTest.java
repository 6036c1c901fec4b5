package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.core.security.internal.ServiceTokens;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Tag;
import org.junit.jupiter.api.Test;

/** The extension driven through the runtime-core SPI, in the order the runtime calls it. */
class MessagingExtensionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void isFoundByServiceLoader() {
        // On the module path this test runs inside dev.flotilla.messaging, which provides the service but does not
        // itself use it; the runtime (dev.flotilla.core) declares the use.
        MessagingExtensionTest.class.getModule().addUses(ServiceExtensionProvider.class);
        assertTrue(ServiceLoader.load(ServiceExtensionProvider.class).stream()
                .anyMatch(p -> p.type() == MessagingExtensionProvider.class));
    }

    @Test
    void createsNothingWithoutMessagingConfig() {
        assertTrue(new MessagingExtensionProvider()
                .create(new TestServiceContext("orders", null, Map.of("server.port", "0"))).isEmpty());
    }

    @Test
    void refusesUnknownTransportWithTheKeyInTheMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MessagingExtensionProvider()
                .create(new TestServiceContext("orders", null, Map.of("messaging.transport", "kafka"))));
        assertEquals("messaging.transport must be nats or in-jvm, was 'kafka'", e.getMessage());
    }

    @Test
    void standaloneFromConfigOrSetup() {
        try (Messaging fromConfig = Messaging.create("orders", io.helidon.config.Config.just(
                io.helidon.config.ConfigSources.create(Map.of("dead-letter-subject", "dlq.orders"))));
             Messaging fromSetup = Messaging.create(b -> b.serviceName("billing"))) {
            assertEquals("in-jvm", fromConfig.transport());
            assertEquals("dlq.orders", fromConfig.deadLetterSubject());
            assertEquals("deadletter.billing", fromSetup.deadLetterSubject());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Messaging.create(b -> { }));
        assertEquals("Messaging.Builder needs serviceName(...)", e.getMessage());
    }

    @Test
    void servicesOfOneProviderTalkInJvm() throws Exception {
        MessagingExtensionProvider provider = new MessagingExtensionProvider();
        TestServiceContext ordersContext = new TestServiceContext("orders", null,
                Map.of("messaging.transport", "in-jvm"));
        ServiceExtension orders = provider.create(ordersContext).orElseThrow();
        ServiceExtension billing = provider.create(new TestServiceContext("billing", null,
                Map.of("messaging.transport", "in-jvm"))).orElseThrow();
        orders.start();
        billing.start();
        try {
            Queue<String> received = new ConcurrentLinkedQueue<>();
            ((Messaging) billing).subscribe("orders.created", String.class, e -> received.add(e.payload()));
            ((Messaging) orders).publish("orders.created", "o-1");
            Await.until(WAIT, () -> received.contains("o-1"), "delivered in the JVM");
            assertEquals("in-jvm", ((Messaging) orders).transport());
            FunctionalCounter published = ordersContext.metrics().meter(FunctionalCounter.class,
                    "flotilla.messaging.published", List.of(Tag.create("service", "orders"))).orElseThrow();
            assertEquals(1, published.count());
        } finally {
            orders.stop();
            billing.stop();
        }
    }

    @Test
    void aServicesIdentityAndVerifyPublishersComeFromItsConfigurationAndRefusalsAreAMetric() throws Exception {
        MessagingExtensionProvider provider = new MessagingExtensionProvider();
        String ordersKey = ServiceTokens.generateKey("orders");
        ServiceExtension orders = provider.create(new TestServiceContext("orders", null, Map.of(
                "messaging.transport", "in-jvm", "security.identity.key", ordersKey))).orElseThrow();
        TestServiceContext billingContext = new TestServiceContext("billing", null, Map.of(
                "messaging.transport", "in-jvm", "messaging.verify-publishers", "true",
                "security.identity.trusted", ServiceTokens.publicJwkSet(List.of(ordersKey))));
        ServiceExtension billing = provider.create(billingContext).orElseThrow();
        ServiceExtension stranger = provider.create(new TestServiceContext("stranger", null,
                Map.of("messaging.transport", "in-jvm"))).orElseThrow();
        orders.start();
        billing.start();
        stranger.start();
        try {
            Queue<String> received = new ConcurrentLinkedQueue<>();
            ((Messaging) billing).subscribe("orders.created", String.class,
                    e -> received.add(e.payload() + " by " + e.publisher().orElseThrow().service()));
            ((Messaging) stranger).publish("orders.created", "o-0");
            ((Messaging) orders).publish("orders.created", "o-1");
            Await.until(WAIT, () -> received.contains("o-1 by orders"), "the signed event delivered");
            FunctionalCounter unverified = billingContext.metrics().meter(FunctionalCounter.class,
                    "flotilla.messaging.unverified", List.of(Tag.create("service", "billing"))).orElseThrow();
            Await.until(WAIT, () -> unverified.count() == 1, "the unsigned event refused");
            assertEquals(List.of("o-1 by orders"), List.copyOf(received));
        } finally {
            orders.stop();
            billing.stop();
            stranger.stop();
        }
    }

    @Test
    void connectsDeclaresRegistersAndReportsReadinessThatFollowsTheConnection() throws Exception {
        try (NatsServer server = NatsServer.start()) {
            Map<String, String> config = Map.of(
                    "messaging.nats.servers", server.url(),
                    "messaging.nats.reconnect.initial-wait", "PT0.02S",
                    "messaging.nats.reconnect.max-wait", "PT0.1S",
                    "messaging.streams.ORDERS.subjects", "orders.>");
            ServiceExtension extension = new MessagingExtensionProvider()
                    .create(new TestServiceContext("orders", URI.create("http://127.0.0.1:8080"), config))
                    .orElseThrow();
            Messaging messaging = assertInstanceOf(Messaging.class, extension);
            HealthCheck readiness = extension.healthChecks().get(0);
            assertEquals(HealthCheckType.READINESS, readiness.type());
            assertEquals("messaging", readiness.name());
            assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().status());

            extension.start();
            try {
                assertEquals(HealthCheckResponse.Status.UP, readiness.call().status());
                assertEquals("nats", readiness.call().details().get("transport"));
                assertEquals("ORDERS", messaging.publishDurable("orders.created", "o-1").stream(),
                        "stream declared from messaging.streams");
                assertEquals(List.of(URI.create("http://127.0.0.1:8080")),
                        NatsDiscovery.create(messaging, Duration.ofMillis(300)).instances("orders"));

                server.stop();
                Await.until(WAIT, () -> readiness.call().status() == HealthCheckResponse.Status.DOWN,
                        "readiness DOWN after the server stopped");
                server.restart();
                Await.until(WAIT, () -> readiness.call().status() == HealthCheckResponse.Status.UP,
                        "readiness UP again after the server came back");
            } finally {
                extension.drain(Duration.ofSeconds(5));
                extension.stop();
            }
        }
    }
}
