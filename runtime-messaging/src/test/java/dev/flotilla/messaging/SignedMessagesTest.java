package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.flotilla.core.security.internal.ServiceTokens;
import dev.flotilla.messaging.TestEvents.OrderCreated;
import dev.flotilla.messaging.TestEvents.Price;
import dev.flotilla.messaging.TestEvents.PriceQuery;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Signed publishers on a real nats-server: what a service with a key sends carries its signature, and a subscription
 * that verifies publishers handles only what verifies; the rest (unsigned, forged, tampered, replayed onto another
 * subject, from a service not allowed there) reaches the dead-letter subject with its reason, never the handler.
 */
class SignedMessagesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ORDER_KEY = ServiceTokens.generateKey("order-service");
    private static final String PAYMENT_KEY = ServiceTokens.generateKey("payment-service");
    /** A key claiming to be order-service's, which nobody trusts. */
    private static final String ROGUE_KEY = ServiceTokens.generateKey("order-service");
    private static final String TRUSTED = ServiceTokens.publicJwkSet(List.of(ORDER_KEY, PAYMENT_KEY));
    private static final String DEAD_LETTERS = "deadletter.shipping-service";

    private NatsServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = NatsServer.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        server.close();
        MDC.clear();
    }

    private Messaging messaging(String service, String key, Consumer<Messaging.Builder> customizer) {
        Messaging.Builder builder = Messaging.builder().serviceName(service)
                .nats(NatsMessagingContractTest.settings(server).build())
                .addStream(StreamDefinition.builder("ORDERS").addSubject("orders.>").build())
                .serviceTokens(ServiceTokens.of(service, key, TRUSTED, Clock.systemUTC()));
        customizer.accept(builder);
        Messaging m = builder.build();
        closeables.add(m);
        return m;
    }

    /** The subscribing service: trusts order-service and payment-service, signs nothing, verifies everything. */
    private Messaging shipping() {
        return messaging("shipping-service", null, b -> b.verifyPublishers(true));
    }

    private Connection rawConnection() throws Exception {
        Connection c = Nats.connect(server.url());
        closeables.add(c);
        return c;
    }

    private Queue<Message> deadLetters(Connection raw) throws Exception {
        Queue<Message> deadLetters = new ConcurrentLinkedQueue<>();
        raw.createDispatcher(deadLetters::add).subscribe(DEAD_LETTERS);
        raw.flush(Duration.ofSeconds(5));
        return deadLetters;
    }

    private static byte[] json(OrderCreated event) {
        return new JsonCodec().encode(event);
    }

    /** A signature as a service holding {@code key} would make for {@code body} on {@code subject}. */
    private static String signature(String service, String key, String subject, byte[] body, Clock clock) {
        return ServiceTokens.of(service, key, null, clock).sign(
                subject, Map.of(PublisherSignatures.DIGEST_CLAIM, PublisherSignatures.digest(body)),
                PublisherSignatures.TTL);
    }

    private static Headers signed(String token) {
        Headers headers = new Headers();
        headers.put(MessagingHeaders.PUBLISHER, token);
        return headers;
    }

    private static List<String> reasons(Queue<Message> deadLetters) {
        return deadLetters.stream().map(m -> m.getHeaders().getFirst(MessagingHeaders.DEAD_LETTER_REASON)).toList();
    }

    @Test
    void aSignedMessageIsHandledAndItsHandlerSeesThePublisherAndUserInEnvelopeAndMdc() throws Exception {
        Messaging shipping = shipping();
        Queue<Envelope<OrderCreated>> handled = new ConcurrentLinkedQueue<>();
        Queue<String> mdc = new ConcurrentLinkedQueue<>();
        shipping.subscribe("orders.created", OrderCreated.class, e -> {
            // the MDC first: the test reads it once the envelope is there
            mdc.add(MDC.get(Publisher.MDC_SERVICE) + "/" + MDC.get(Publisher.MDC_USER));
            handled.add(e);
        });
        Messaging order = messaging("order-service", ORDER_KEY, b -> b.onBehalfOf(() -> Optional.of("user-42")));

        order.publish("orders.created", new OrderCreated("o-1", 1, Instant.EPOCH));

        Await.until(WAIT, () -> handled.size() == 1, "handled");
        Envelope<OrderCreated> envelope = handled.peek();
        assertEquals(Optional.of(new Publisher("order-service", "user-42")), envelope.publisher());
        assertEquals("order-service/user-42", mdc.peek());
        String token = envelope.header(MessagingHeaders.PUBLISHER).orElseThrow();
        assertFalse(envelope.toString().contains(token), "the signature is not shown: " + envelope);
        assertEquals(0, shipping.stats().unverified());
        assertNull(MDC.get(Publisher.MDC_SERVICE));
    }

    @Test
    void aSubscriptionThatDoesNotVerifyHandlesAnyMessageAndShowsNoPublisher() throws Exception {
        Messaging open = messaging("shipping-service", null, b -> { });
        Queue<Envelope<OrderCreated>> handled = new ConcurrentLinkedQueue<>();
        open.subscribe("orders.created", OrderCreated.class, handled::add);
        messaging("order-service", ORDER_KEY, b -> { })
                .publish("orders.created", new OrderCreated("o-1", 1, Instant.EPOCH));
        rawConnection().publish("orders.created", json(new OrderCreated("o-2", 1, Instant.EPOCH)));

        Await.until(WAIT, () -> handled.size() == 2, "both handled");
        assertTrue(handled.stream().allMatch(e -> e.publisher().isEmpty()));
    }

    @Test
    void unsignedForgedTamperedAndReplayedMessagesAreDeadLetteredWithTheirReasonsAndNeverHandled() throws Exception {
        Messaging shipping = shipping();
        AtomicInteger handled = new AtomicInteger();
        shipping.subscribe("orders.created", OrderCreated.class, e -> handled.incrementAndGet());
        Connection raw = rawConnection();
        Queue<Message> deadLetters = deadLetters(raw);
        byte[] body = json(new OrderCreated("o-1", 1, Instant.EPOCH));
        byte[] other = json(new OrderCreated("o-1", 1000, Instant.EPOCH));
        Clock now = Clock.systemUTC();

        raw.publish("orders.created", body);
        raw.publish("orders.created", signed("not.a.token"), body);
        raw.publish("orders.created", signed(signature("order-service", ROGUE_KEY, "orders.created", body, now)), body);
        raw.publish("orders.created", signed(signature("order-service", ORDER_KEY, "orders.created", body, now)),
                    other);
        raw.publish("orders.created",
                    signed(signature("order-service", ORDER_KEY, "orders.cancelled", body, now)), body);
        raw.publish("orders.created", signed(signature("evil-service", ServiceTokens.generateKey("evil-service"),
                                                       "orders.created", body, now)), body);
        raw.publish("orders.created", signed(signature("order-service", ORDER_KEY, "orders.created", body,
                                                       Clock.offset(now, Duration.ofHours(-1)))), body);

        Await.until(WAIT, () -> deadLetters.size() == 7, () -> "seven dead letters: " + reasons(deadLetters));
        assertEquals(List.of(
                "unverified publisher: no publisher signature (header Flotilla-Publisher)",
                "unverified publisher: publisher signature refused: malformed service token",
                "unverified publisher: publisher signature refused: bad signature on a token of 'order-service'",
                "unverified publisher: payload does not match the signature of 'order-service'",
                "unverified publisher: publisher signature refused: token of 'order-service' is not meant for "
                        + "'orders.created'",
                "unverified publisher: publisher signature refused: service 'evil-service' is not trusted",
                "unverified publisher: publisher signature refused: token of 'order-service' expired"),
                reasons(deadLetters));
        Message tampered = deadLetters.stream().toList().get(3);
        assertEquals("orders.created", tampered.getHeaders().getFirst(MessagingHeaders.ORIGINAL_SUBJECT));
        assertEquals("shipping-service", tampered.getHeaders().getFirst(MessagingHeaders.DEAD_LETTER_SERVICE));
        assertEquals(new String(other, StandardCharsets.UTF_8), new String(tampered.getData(), StandardCharsets.UTF_8));
        assertEquals(0, handled.get());
        assertEquals(7, shipping.stats().unverified());
        assertEquals(7, shipping.stats().deadLettered());
    }

    @Test
    void aTrustedServiceNotAmongTheSubscriptionsPublishersIsRefusedEvenWithoutServiceWideVerification()
            throws Exception {
        Messaging shipping = messaging("shipping-service", null, b -> { });
        Queue<Envelope<OrderCreated>> handled = new ConcurrentLinkedQueue<>();
        shipping.subscribe("orders.created", OrderCreated.class,
                           SubscriptionOptions.builder().publishers("order-service").build(), handled::add);
        Queue<Message> deadLetters = deadLetters(rawConnection());

        messaging("payment-service", PAYMENT_KEY, b -> { })
                .publish("orders.created", new OrderCreated("o-1", 1, Instant.EPOCH));
        messaging("order-service", ORDER_KEY, b -> { })
                .publish("orders.created", new OrderCreated("o-2", 1, Instant.EPOCH));

        Await.until(WAIT, () -> handled.size() == 1 && deadLetters.size() == 1,
                    () -> "one handled, one dead letter: " + reasons(deadLetters));
        assertEquals(List.of("unverified publisher: publisher 'payment-service' is not allowed on 'orders.created'"),
                     reasons(deadLetters));
        assertEquals("o-2", handled.peek().payload().orderId());
        assertEquals("order-service", handled.peek().publisher().orElseThrow().service());
    }

    @Test
    void aDurableSubscriptionRefusesWhatDoesNotVerifyTerminatesItAndStillVerifiesALegitMessageRedeliveredLater()
            throws Exception {
        Messaging shipping = shipping();
        Queue<Envelope<OrderCreated>> handled = new ConcurrentLinkedQueue<>();
        shipping.subscribeDurable("orders.created", OrderCreated.class,
                                  SubscriptionOptions.builder().publishers("order-service")
                                          .ackWait(Duration.ofSeconds(1))
                                          .backoff(List.of(Duration.ofMillis(1500))).build(),
                                  e -> {
                                      if (e.deliveryCount() == 1) {
                                          throw new IllegalStateException("warehouse busy");
                                      }
                                      handled.add(e);
                                  });
        Connection raw = rawConnection();
        Queue<Message> deadLetters = deadLetters(raw);
        byte[] body = json(new OrderCreated("o-1", 1, Instant.EPOCH));
        Clock now = Clock.systemUTC();
        var js = raw.jetStream();

        js.publish("orders.created", body);
        js.publish("orders.created", signed(signature("order-service", ROGUE_KEY, "orders.created", body, now)), body);
        js.publish("orders.created", signed(signature("order-service", ORDER_KEY, "orders.created", body, now)),
                   json(new OrderCreated("o-1", 1000, Instant.EPOCH)));
        js.publish("orders.created", signed(signature("order-service", ORDER_KEY, "orders.cancelled", body, now)),
                   body);
        messaging("payment-service", PAYMENT_KEY, b -> { })
                .publishDurable("orders.created", new OrderCreated("o-1", 1, Instant.EPOCH));
        // signed an hour ago, long expired as a token: a stored message is still its publisher's
        js.publish("orders.created", signed(signature("order-service", ORDER_KEY, "orders.created", body,
                                                      Clock.offset(now, Duration.ofHours(-1)))), body);

        Await.until(WAIT, () -> handled.size() == 1, () -> "the legit message handled: " + reasons(deadLetters));
        assertEquals(2, handled.peek().deliveryCount(), "handled on its redelivery");
        assertEquals("order-service", handled.peek().publisher().orElseThrow().service());
        assertEquals(List.of(
                "unverified publisher: no publisher signature (header Flotilla-Publisher)",
                "unverified publisher: publisher signature refused: bad signature on a token of 'order-service'",
                "unverified publisher: payload does not match the signature of 'order-service'",
                "unverified publisher: publisher signature refused: token of 'order-service' is not meant for "
                        + "'orders.created'",
                "unverified publisher: publisher 'payment-service' is not allowed on 'orders.created'"),
                reasons(deadLetters));
        assertTrue(deadLetters.stream().allMatch(m -> "1".equals(m.getHeaders().getFirst(
                MessagingHeaders.DELIVERY_COUNT))), "refused on their first delivery");
        // terminated, not left to be redelivered after the (1 s) ack wait, which has passed during the backoff
        Await.until(WAIT, () -> consumerInfo(raw).getNumAckPending() == 0, "nothing pending");
        assertEquals(5, deadLetters.size());
        assertEquals(5, shipping.stats().unverified());
    }

    private static ConsumerInfo consumerInfo(Connection raw) {
        try {
            return raw.jetStreamManagement().getConsumerInfo("ORDERS", "shipping-service-orders_created");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aResponderThatVerifiesRefusesUnsignedAndNotAllowedRequestsWithAnErrorReply() throws Exception {
        Messaging pricing = messaging("pricing-service", null, b -> { });
        Queue<Optional<Publisher>> callers = new ConcurrentLinkedQueue<>();
        pricing.respond("prices.get", PriceQuery.class,
                        SubscriptionOptions.builder().publishers("order-service").build(), q -> {
                            callers.add(q.publisher());
                            return new Price(q.payload().sku(), 100);
                        });

        Messaging order = messaging("order-service", ORDER_KEY, b -> { });
        assertEquals(new Price("sku-1", 100),
                     order.request("prices.get", new PriceQuery("sku-1"), Price.class, WAIT));
        assertEquals(List.of(Optional.of(new Publisher("order-service", null))), List.copyOf(callers));

        RemoteHandlerException refused = assertThrows(RemoteHandlerException.class,
                () -> messaging("payment-service", PAYMENT_KEY, b -> { })
                        .request("prices.get", new PriceQuery("sku-1"), Price.class, WAIT));
        assertEquals(HandlerDelivery.UNVERIFIED_CODE, refused.errorCode());
        assertTrue(refused.getMessage().contains("publisher 'payment-service' is not allowed on 'prices.get'"),
                   refused.getMessage());

        Message reply = rawConnection().request("prices.get", json(new OrderCreated("x", 1, Instant.EPOCH)), WAIT);
        assertEquals("403", reply.getHeaders().getFirst(MessagingHeaders.SERVICE_ERROR_CODE));
        assertEquals("unverified publisher: no publisher signature (header Flotilla-Publisher)",
                     reply.getHeaders().getFirst(MessagingHeaders.SERVICE_ERROR));
        assertEquals(1, callers.size());
        assertEquals(2, pricing.stats().unverified());
    }

    @Test
    void aServiceWithoutAKeySignsNothingAndVerificationNeedsTrustedKeys() {
        Messaging plain = messaging("shipping-service", null, b -> { });
        assertThrows(IllegalArgumentException.class, () -> plain.subscribe("orders.created", OrderCreated.class,
                SubscriptionOptions.builder().publishers("stranger-service").build(), e -> { }));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Messaging.builder().serviceName("lonely").verifyPublishers(true).build());
        assertTrue(e.getMessage().contains("security.identity.trusted"), e.getMessage());
    }

    @Test
    void theIdentityAndVerificationAreReadFromConfiguration() throws Exception {
        Config root = Config.just(ConfigSources.create(Map.of(
                "security.identity.trusted", TRUSTED,
                "messaging.transport", "nats",
                "messaging.nats.servers", server.url(),
                "messaging.verify-publishers", "true")));
        Messaging shipping = Messaging.builder().serviceName("shipping-service").identity(root)
                .config(root.get("messaging")).build();
        closeables.add(shipping);
        Queue<Envelope<OrderCreated>> handled = new ConcurrentLinkedQueue<>();
        shipping.subscribe("orders.created", OrderCreated.class, handled::add);
        Queue<Message> deadLetters = deadLetters(rawConnection());
        Config orderConfig = Config.just(ConfigSources.create(Map.of("security.identity.key", ORDER_KEY)));
        Messaging order = Messaging.builder().serviceName("order-service").identity(orderConfig)
                .nats(NatsMessagingContractTest.settings(server).build()).build();
        closeables.add(order);

        order.publish("orders.created", new OrderCreated("o-1", 1, Instant.EPOCH));
        rawConnection().publish("orders.created", json(new OrderCreated("o-2", 1, Instant.EPOCH)));

        Await.until(WAIT, () -> handled.size() == 1 && deadLetters.size() == 1, "one handled, one refused");
        assertEquals("o-1", handled.peek().payload().orderId());
        assertEquals("order-service", handled.peek().publisher().orElseThrow().service());
    }
}
