package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.messaging.TestEvents.OrderCreated;
import dev.flotilla.messaging.TestEvents.Price;
import dev.flotilla.messaging.TestEvents.PriceQuery;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.service.Discovery;
import io.nats.service.InfoResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only NATS can show: reconnects, JetStream at-least-once, dead letters after redeliveries, de-duplication,
 * drain on shutdown and the NATS service protocol. Each test owns its nats-server, so it can stop and restart it.
 */
class NatsMessagingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

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
        org.slf4j.MDC.clear();
    }

    private Messaging messaging(String service, Consumer<Messaging.Builder> customizer) {
        Messaging.Builder builder = Messaging.builder().serviceName(service)
                .nats(NatsMessagingContractTest.settings(server).publishRetryTimeout(Duration.ofSeconds(30)).build());
        customizer.accept(builder);
        Messaging m = builder.build();
        closeables.add(m);
        return m;
    }

    private Messaging messaging(String service) {
        return messaging(service, b -> b.addStream(StreamDefinition.builder("ORDERS").addSubject("orders.>").build()));
    }

    private Connection rawConnection() throws Exception {
        Connection c = Nats.connect(server.url());
        closeables.add(c);
        return c;
    }

    private static SubscriptionOptions.Builder fastRedelivery() {
        return SubscriptionOptions.builder().backoff(List.of(Duration.ofMillis(20)));
    }

    /**
     * Like jnats' ReconnectTests: the connection that buffered the publishes re-subscribes before it flushes them,
     * so they reach its own subscription. (A subscriber on another connection may resubscribe after the flush;
     * core NATS is at-most-once, so such messages would be lost: use a durable subscription for them.)
     */
    @Test
    void subscriptionsSurviveRestartAndBufferedPublishesArrive() {
        Messaging m = messaging("orders");
        Messaging other = messaging("audit");
        Set<String> received = ConcurrentHashMap.newKeySet();
        Set<String> otherReceived = ConcurrentHashMap.newKeySet();
        m.subscribe("events.order-created.v1", String.class, e -> received.add(e.payload()));
        other.subscribe("events.order-created.v1", String.class, e -> otherReceived.add(e.payload()));
        // the other connection's subscription reaches the server asynchronously: publish until it is in place
        Await.until(WAIT, () -> {
            m.publish("events.order-created.v1", "before");
            return received.contains("before") && otherReceived.contains("before");
        }, "first message before the restart");

        server.stop();
        Await.until(WAIT, () -> !m.isConnected() && !other.isConnected(), "disconnect noticed");
        for (int i = 0; i < 100; i++) {
            m.publish("events.order-created.v1", "during-" + i);
        }
        server.restart();

        Await.until(WAIT, () -> m.isConnected() && other.isConnected(), "reconnected by itself");
        Await.until(WAIT, () -> received.size() == 101,
                () -> "all 100 publishes buffered during the outage arrived, got " + (received.size() - 1));
        Await.until(WAIT, () -> {
            m.publish("events.order-created.v1", "after");
            return otherReceived.contains("after");
        }, "the other connection's subscription survived the restart");
    }

    @Test
    void redeliversAfterHandlerFailureUntilItSucceeds() {
        Messaging m = messaging("billing");
        Queue<Long> deliveries = new ConcurrentLinkedQueue<>();
        m.subscribeDurable("orders.created", OrderCreated.class, fastRedelivery().build(), e -> {
            deliveries.add(e.deliveryCount());
            if (e.deliveryCount() < 3) {
                throw new IllegalStateException("database busy");
            }
        });

        m.publishDurable("orders.created", new OrderCreated("o-1", 1, Instant.EPOCH));

        Await.until(WAIT, () -> m.stats().handled() == 1, "handled on the third delivery");
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(deliveries));
        assertEquals(2, m.stats().failed());
        assertEquals(0, m.stats().deadLettered());
    }

    @Test
    void deadLettersAfterMaxDeliveriesWithReasonAndOriginalHeaders() throws Exception {
        Messaging m = messaging("billing");
        Queue<io.nats.client.Message> deadLetters = new ConcurrentLinkedQueue<>();
        Connection raw = rawConnection();
        raw.createDispatcher(deadLetters::add).subscribe("deadletter.billing");
        raw.flush(Duration.ofSeconds(5));
        AtomicInteger attempts = new AtomicInteger();
        m.subscribeDurable("orders.created", OrderCreated.class, fastRedelivery().maxDeliver(3).build(), e -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("payment provider down");
        });

        CallContext.Scope scope = CallContext.of("orders", "req-7").open();
        try {
            m.publishDurable("orders.created", new OrderCreated("o-2", 1, Instant.EPOCH), "order-o-2");
        } finally {
            scope.close();
        }

        Await.until(WAIT, () -> deadLetters.size() == 1, "one dead letter");
        io.nats.client.Message dead = deadLetters.peek();
        assertEquals(3, attempts.get());
        assertEquals("handler failed 3 times: java.lang.IllegalStateException: payment provider down",
                dead.getHeaders().getFirst(MessagingHeaders.DEAD_LETTER_REASON));
        assertEquals("orders.created", dead.getHeaders().getFirst(MessagingHeaders.ORIGINAL_SUBJECT));
        assertEquals("3", dead.getHeaders().getFirst(MessagingHeaders.DELIVERY_COUNT));
        assertEquals("req-7", dead.getHeaders().getFirst(MessagingHeaders.CORRELATION_ID));
        assertEquals("order-o-2", dead.getHeaders().getFirst(MessagingHeaders.MESSAGE_ID));
        assertTrue(new String(dead.getData(), StandardCharsets.UTF_8).contains("\"orderId\":\"o-2\""));
        // terminated, so never delivered again
        ConsumerInfo info = consumerInfo(raw, "billing-orders_created");
        Await.until(WAIT, () -> consumerInfo(raw, "billing-orders_created").getNumAckPending() == 0,
                () -> "nothing pending: " + info);
        assertEquals(3, attempts.get());
    }

    @Test
    void deadLettersAreStoredWhenAStreamCapturesTheDeadLetterSubject() throws Exception {
        Messaging m = messaging("billing", b -> b
                .addStream(StreamDefinition.builder("ORDERS").addSubject("orders.>").build())
                .addStream(StreamDefinition.builder("DEADLETTERS").addSubject("deadletter.>").build()));
        m.subscribeDurable("orders.created", OrderCreated.class, fastRedelivery().maxDeliver(2).build(), e -> {
            throw new IllegalStateException("always");
        });

        m.publishDurable("orders.created", new OrderCreated("o-9", 1, Instant.EPOCH), "order-o-9");

        JetStreamManagement jsm = rawConnection().jetStreamManagement();
        Await.until(WAIT, () -> streamMessages(jsm, "DEADLETTERS") == 1, "dead letter stored in its stream");
        io.nats.client.api.MessageInfo stored = jsm.getLastMessage("DEADLETTERS", "deadletter.billing");
        assertEquals("handler failed 2 times: java.lang.IllegalStateException: always",
                stored.getHeaders().getFirst(MessagingHeaders.DEAD_LETTER_REASON));
        assertEquals("order-o-9", stored.getHeaders().getFirst(MessagingHeaders.ORIGINAL_MESSAGE_ID));
        assertEquals("dead-letter-order-o-9", stored.getHeaders().getFirst(MessagingHeaders.MESSAGE_ID));
        Connection raw = rawConnection();
        Await.until(WAIT, () -> outstanding(consumerInfo(raw, "billing-orders_created")) == 0, "original terminated");
    }

    private static long streamMessages(JetStreamManagement jsm, String stream) {
        try {
            return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long outstanding(ConsumerInfo info) {
        return info.getNumAckPending() + info.getNumPending();
    }

    @Test
    void republishedMessageIdIsStoredOnce() {
        Messaging m = messaging("orders");
        OrderCreated event = new OrderCreated("o-3", 1, Instant.EPOCH);

        PublishAck first = m.publishDurable("orders.created", event, "order-o-3");
        PublishAck again = m.publishDurable("orders.created", event, "order-o-3");

        assertFalse(first.duplicate());
        assertTrue(again.duplicate());
        assertEquals(first.sequence(), again.sequence());
        AtomicInteger delivered = new AtomicInteger();
        m.subscribeDurable("orders.created", OrderCreated.class, e -> delivered.incrementAndGet());
        m.publishDurable("orders.created", new OrderCreated("o-4", 1, Instant.EPOCH));
        Await.until(WAIT, () -> delivered.get() == 2, "the stored message and the next one");
        assertEquals(2, delivered.get());
    }

    @Test
    void undecodableDurableMessageGoesToDeadLetterAtOnce() throws Exception {
        Messaging m = messaging("billing");
        Queue<io.nats.client.Message> deadLetters = new ConcurrentLinkedQueue<>();
        Connection raw = rawConnection();
        raw.createDispatcher(deadLetters::add).subscribe("deadletter.billing");
        raw.flush(Duration.ofSeconds(5));
        AtomicInteger handled = new AtomicInteger();
        m.subscribeDurable("orders.created", OrderCreated.class, fastRedelivery().build(),
                e -> handled.incrementAndGet());

        m.publishDurable("orders.created", "[1, 2".getBytes(StandardCharsets.UTF_8));
        m.publishDurable("orders.created", new OrderCreated("o-5", 1, Instant.EPOCH));

        Await.until(WAIT, () -> deadLetters.size() == 1 && handled.get() == 1, "one dead letter, one handled");
        assertTrue(deadLetters.peek().getHeaders().getFirst(MessagingHeaders.DEAD_LETTER_REASON)
                .startsWith("undecodable payload for " + OrderCreated.class.getName()));
        assertEquals("1", deadLetters.peek().getHeaders().getFirst(MessagingHeaders.DELIVERY_COUNT));
        Await.until(WAIT, () -> consumerInfo(raw, "billing-orders_created").getNumAckPending() == 0,
                "terminated, not pending redelivery");
    }

    @Test
    void tenThousandDurableMessagesSurviveServerRestartWithNothingLost() throws Exception {
        int total = 10_000;
        Messaging publisher = messaging("orders");
        Messaging consumer = messaging("billing", b -> { });
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger deliveries = new AtomicInteger();
        consumer.subscribeDurable("orders.flow", String.class,
                SubscriptionOptions.builder().concurrency(8).build(), e -> {
                    deliveries.incrementAndGet();
                    seen.add(e.payload());
                });
        AtomicInteger published = new AtomicInteger();
        Thread publishing = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < total; i++) {
                // the id makes a publish that was stored but not acked before the outage a duplicate
                publisher.publishDurable("orders.flow", "m-" + i, "flow-" + i);
                published.incrementAndGet();
            }
        });
        Await.until(WAIT, () -> published.get() >= total / 3, "a third published");

        server.restart();

        assertTrue(publishing.join(Duration.ofSeconds(60)), "publisher finished");
        Await.until(Duration.ofSeconds(60), () -> seen.size() == total,
                () -> "all " + total + " distinct messages consumed, got " + seen.size());
        assertTrue(deliveries.get() >= total, "at least once: " + deliveries.get());
    }

    @Test
    void drainOnShutdownLetsInFlightHandlersFinishAndAck() throws Exception {
        Messaging m = messaging("billing");
        AtomicInteger done = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        m.subscribeDurable("orders.created", OrderCreated.class, e -> {
            started.countDown();
            Thread.sleep(100); // the work itself
            done.incrementAndGet();
        });
        for (int i = 0; i < 10; i++) {
            m.publishDurable("orders.created", new OrderCreated("o-" + i, 1, Instant.EPOCH));
        }
        assertTrue(started.await(20, TimeUnit.SECONDS));

        assertTrue(m.drainSubscriptions(WAIT), "drained in time");
        m.close();

        // Every message was either handled and acked before the drain ended, or is still waiting on the server
        // for the next instance: none is lost, none is left assigned to the stopped one. Which of the two depends
        // on how far the consumer had pulled when the drain began, so the split is not asserted.
        Connection raw = rawConnection();
        ConsumerInfo info = consumerInfo(raw, "billing-orders_created");
        assertTrue(done.get() >= 1, "the handler in flight finished");
        assertEquals(10, done.get() + info.getNumPending(), "handled + still pending; " + info);
        assertEquals(0, info.getNumAckPending(), info.toString());
    }

    @Test
    void discoveryDropsAnUnreachableInstanceAndListsItAgainWhenItRegistersBeforeItsAnswerCacheExpires() {
        URI a = URI.create("http://127.0.0.1:8081");
        URI b = URI.create("http://127.0.0.1:8082");
        messaging("pricing", x -> x.httpUri(a));
        Messaging second = messaging("pricing", x -> x.httpUri(b));
        NatsDiscovery discovery = NatsDiscovery.create(messaging("shop"), Duration.ofMillis(500));
        assertEquals(List.of(a, b), discovery.instances("pricing"));

        second.close();
        discovery.unreachable("pricing", b);
        // the deadline is below the 5 s answer cache: only a refresh on the report can meet it
        Duration beforeTheCacheExpires = Duration.ofSeconds(4);
        Await.until(beforeTheCacheExpires, () -> discovery.instances("pricing").equals(List.of(a)),
                () -> "the unreachable instance is dropped: " + discovery.instances("pricing"));

        messaging("pricing", x -> x.httpUri(b)); // the same URL again, with a new $SRV id
        Await.until(beforeTheCacheExpires, () -> discovery.instances("pricing").equals(List.of(a, b)),
                () -> "the instance is listed again: " + discovery.instances("pricing"));
    }

    @Test
    void registersWithNatsServiceProtocolWithHttpUrlAndEndpoints() throws Exception {
        Messaging pricing = messaging("pricing", b -> b.serviceVersion("1.4.2")
                .httpUri(URI.create("http://127.0.0.1:8081")));
        pricing.respond("pricing.quote", PriceQuery.class, q -> new Price(q.payload().sku(), 100));
        messaging("pricing", b -> b.serviceVersion("1.4.2").httpUri(URI.create("http://127.0.0.1:8082")));

        Connection raw = rawConnection();
        List<InfoResponse> infos = new Discovery(raw, 500, 10).info("pricing");

        assertEquals(2, infos.size(), infos.toString());
        InfoResponse first = infos.stream().filter(i -> i.getEndpoints().size() == 1).findFirst().orElseThrow();
        assertEquals("http://127.0.0.1:8081", first.getMetadata().get("http.url"));
        assertEquals("1.4.2", first.getVersion());
        assertEquals("pricing.quote", first.getEndpoints().get(0).getSubject());
        assertEquals(Set.of(URI.create("http://127.0.0.1:8081"), URI.create("http://127.0.0.1:8082")),
                Set.copyOf(NatsDiscovery.create(messaging("shop"), Duration.ofMillis(500)).instances("pricing")));
        assertEquals(new Price("a", 100),
                messaging("shop").request("pricing.quote", new PriceQuery("a"), Price.class, WAIT));
        long requests = new Discovery(raw, 500, 10).stats("pricing").stream()
                .flatMap(st -> st.getEndpointStatsList().stream())
                .mapToLong(io.nats.service.EndpointStats::getNumRequests).sum();
        assertEquals(1, requests, "$SRV.STATS counts the request");
    }

    @Test
    void aReplyEchoesTheRequestersCorrelationOnlyWhenTheRequestCarriedOne() throws Exception {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        Messaging pricing = messaging("pricing");
        pricing.respond("pricing.quote", PriceQuery.class, q -> {
            seen.add(String.valueOf(org.slf4j.MDC.get("correlationId")));
            return new Price(q.payload().sku(), 100);
        });
        // the server has the responder's subscription once it answered a ping sent after it
        ((NatsTransport) ((DefaultMessaging) pricing).transportImpl()).connection().flush(WAIT);
        Connection raw = rawConnection();
        byte[] body = "{\"sku\":\"a\"}".getBytes(StandardCharsets.UTF_8);

        io.nats.client.Message bare = raw.request("pricing.quote", body, WAIT);
        assertEquals("{\"sku\":\"a\",\"cents\":100}", new String(bare.getData(), StandardCharsets.UTF_8));
        assertFalse(bare.hasHeaders(), "a request without headers gets a reply without headers");
        assertFalse(seen.peek() == null || seen.peek().equals("null"),
                    "the responder still runs with a correlation id of its own: " + seen);

        io.nats.client.impl.Headers headers = new io.nats.client.impl.Headers()
                .put(MessagingHeaders.CORRELATION_ID, "req-42");
        io.nats.client.Message echoed = raw.request(io.nats.client.impl.NatsMessage.builder().subject("pricing.quote")
                .headers(headers).data(body).build(), WAIT);
        assertEquals("req-42", echoed.getHeaders().getFirst(MessagingHeaders.CORRELATION_ID));
        assertEquals(List.of("req-42"), List.copyOf(seen).subList(1, 2));
    }

    @Test
    void anExpiredRequestIsAnsweredWithAStandardGatewayTimeoutErrorWithoutRunningTheResponder() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        Messaging pricing = messaging("pricing");
        pricing.respond("pricing.quote", PriceQuery.class, q -> {
            answered.incrementAndGet();
            return new Price(q.payload().sku(), 100);
        });
        ((NatsTransport) ((DefaultMessaging) pricing).transportImpl()).connection().flush(WAIT);
        Connection raw = rawConnection();
        io.nats.client.impl.Headers headers = new io.nats.client.impl.Headers()
                .put(MessagingHeaders.CORRELATION_ID, "req-late")
                .put(MessagingHeaders.DEADLINE, "0");

        io.nats.client.Message reply = raw.request(io.nats.client.impl.NatsMessage.builder().subject("pricing.quote")
                .headers(headers).data("{\"sku\":\"a\"}".getBytes(StandardCharsets.UTF_8)).build(), WAIT);

        assertEquals("504", reply.getHeaders().getFirst(MessagingHeaders.SERVICE_ERROR_CODE));
        assertEquals("the request's deadline ran out before the responder could run",
                     reply.getHeaders().getFirst(MessagingHeaders.SERVICE_ERROR));
        assertEquals(RequestTimeoutException.class.getName(),
                     reply.getHeaders().getFirst(MessagingHeaders.ERROR_TYPE));
        assertEquals("req-late", reply.getHeaders().getFirst(MessagingHeaders.CORRELATION_ID));
        assertEquals(0, answered.get());
        assertEquals(1, pricing.stats().expired());
    }

    @Test
    void aGatewayTimeoutErrorReplyIsARequestTimeoutForTheRequester() throws Exception {
        Connection raw = rawConnection();
        io.nats.client.Dispatcher responder = raw.createDispatcher(m -> raw.publish(m.getReplyTo(),
                new io.nats.client.impl.Headers().put(MessagingHeaders.SERVICE_ERROR, "too late")
                        .put(MessagingHeaders.SERVICE_ERROR_CODE, "504"), new byte[0]));
        responder.subscribe("pricing.quote");
        raw.flush(WAIT);
        Messaging shop = messaging("shop");

        RequestTimeoutException e = assertThrows(RequestTimeoutException.class,
                () -> shop.request("pricing.quote", new PriceQuery("a"), Price.class, WAIT));

        assertEquals("The responder on subject 'pricing.quote' did not run the request: its deadline had run out by "
                + "the time the responder got to it.", e.getMessage());
    }

    @Test
    void subscriptionsAndRespondersAreInEffectWhenTheCallReturns() throws Exception {
        Messaging service = messaging("pricing", b -> { });
        Connection other = rawConnection();
        for (int i = 0; i < 20; i++) {
            // a responder registered, then at once a request from another connection: answered, never "no responders"
            String requestSubject = "ready.quote." + i;
            service.respond(requestSubject, PriceQuery.class, q -> new Price(q.payload().sku(), 7));
            io.nats.client.Message reply = other.request(requestSubject,
                    "{\"sku\":\"a\"}".getBytes(StandardCharsets.UTF_8), WAIT);
            assertEquals("{\"sku\":\"a\",\"cents\":7}", new String(reply.getData(), StandardCharsets.UTF_8),
                         "reply to request " + i);

            // a subscription made, then at once a publish from another connection: received (core NATS keeps nothing
            // for a subscription the server does not know yet)
            String eventSubject = "ready.event." + i;
            CountDownLatch received = new CountDownLatch(1);
            service.subscribe(eventSubject, byte[].class, e -> received.countDown());
            other.publish(eventSubject, new byte[] {1});
            assertTrue(received.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "event " + i + " received");
        }
    }

    /**
     * Closing drains every subscription and responder at once, and each drain flushes the connection (a PING that
     * waits for the server's PONG). jnats takes more than two unanswered PINGs for a dead connection and reconnects,
     * and a drain caught in that reconnect waited for its timeout (a close that took minutes). The flushes go one at
     * a time, so the connection closes without ever reconnecting.
     */
    @Test
    void closingManySubscriptionsAtOnceNeverReconnects() {
        for (int attempt = 0; attempt < 3; attempt++) {
            Messaging service = Messaging.builder().serviceName("catalog")
                    .nats(NatsMessagingContractTest.settings(server).build()).build();
            for (int i = 0; i < 30; i++) {
                service.subscribe("many.event." + i, byte[].class, e -> { });
            }
            for (int i = 0; i < 5; i++) {
                service.respond("many.quote." + i, PriceQuery.class, q -> new Price(q.payload().sku(), 1));
            }
            Connection connection = ((NatsTransport) ((DefaultMessaging) service).transportImpl()).connection();
            Instant start = Instant.now();
            service.close();
            Duration took = Duration.between(start, Instant.now());
            assertEquals(0, connection.getStatistics().getReconnects(),
                         "attempt " + attempt + ": reconnections while closing (close took " + took.toMillis() + " ms)");
        }
    }

    /**
     * A NATS micro service cannot change its endpoints or metadata, so closing a responder or declaring a consumed
     * event starts a replacement service: the remaining responders keep answering, each request once, on a virtual
     * thread of the responder's own, and the replacement's {@code $SRV.STATS} counts the requests from then on.
     */
    @Test
    void respondersKeepAnsweringOnTheirOwnVirtualThreadsWhenTheServiceIsReplaced() throws Exception {
        Messaging pricing = messaging("pricing", b -> { });
        Queue<String> threads = new ConcurrentLinkedQueue<>();
        AtomicInteger answeredB = new AtomicInteger();
        Subscription a = pricing.respond("quote.a", PriceQuery.class, q -> new Price("a", 1));
        pricing.respond("quote.b", PriceQuery.class, q -> {
            threads.add(Thread.currentThread().isVirtual() + "/" + Thread.currentThread().getName());
            answeredB.incrementAndGet();
            return new Price(q.payload().sku(), 2);
        });
        Messaging shop = messaging("shop", b -> { });
        assertEquals(new Price("a", 1), shop.request("quote.a", new PriceQuery("x"), Price.class, WAIT));
        assertEquals(new Price("y", 2), shop.request("quote.b", new PriceQuery("y"), Price.class, WAIT));

        a.close(); // replacement service without quote.a
        pricing.subscribe("orders.created.v1", OrderCreated.class, e -> { }); // replacement with new metadata
        for (int i = 0; i < 5; i++) {
            assertEquals(new Price("z" + i, 2), shop.request("quote.b", new PriceQuery("z" + i), Price.class, WAIT));
        }
        assertThrows(NoRespondersException.class,
                () -> shop.request("quote.a", new PriceQuery("x"), Price.class, WAIT));

        assertEquals(6, answeredB.get(), "each request answered once");
        assertTrue(threads.stream().allMatch(t -> t.equals("true/flotilla-nats-respond-quote.b")), threads.toString());
        Connection raw = rawConnection();
        List<io.nats.service.EndpointStats> endpoints = new Discovery(raw, 500, 10).stats("pricing").stream()
                .flatMap(st -> st.getEndpointStatsList().stream()).toList();
        assertEquals(List.of("quote.b"), endpoints.stream().map(io.nats.service.EndpointStats::getSubject).toList());
        assertEquals(5, endpoints.get(0).getNumRequests(), "the replacement counts the requests it received");
    }

    @Test
    void respondersAnswerAgainAfterAServerRestart() {
        Messaging pricing = messaging("pricing", b -> { });
        Messaging shop = messaging("shop", b -> { });
        pricing.respond("quote.restart", PriceQuery.class, q -> new Price(q.payload().sku(), 5));
        assertEquals(new Price("a", 5), shop.request("quote.restart", new PriceQuery("a"), Price.class, WAIT));

        server.stop();
        Await.until(WAIT, () -> !pricing.isConnected() && !shop.isConnected(), "disconnect noticed");
        server.restart();
        Await.until(WAIT, () -> pricing.isConnected() && shop.isConnected(), "reconnected by itself");

        // the responder's connection re-subscribes asynchronously: ask until it answers (not "no responders")
        Await.until(WAIT, () -> {
            try {
                return new Price("b", 5).equals(
                        shop.request("quote.restart", new PriceQuery("b"), Price.class, Duration.ofSeconds(2)));
            } catch (NoRespondersException | RequestTimeoutException e) {
                return false;
            }
        }, "the responder answers after the restart");
    }

    @Test
    void drainAnswersTheRequestsAResponderAlreadyReceived() throws Exception {
        Messaging pricing = messaging("pricing", b -> { });
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch first = new CountDownLatch(1);
        pricing.respond("quote.slow", PriceQuery.class, q -> {
            first.countDown();
            release.await();
            return new Price(q.payload().sku(), 3);
        });
        Messaging shop = messaging("shop", b -> { });
        List<java.util.concurrent.CompletableFuture<Price>> replies = new ArrayList<>();
        replies.add(shop.requestAsync("quote.slow", new PriceQuery("r0"), Price.class, WAIT));
        assertTrue(first.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "first request in the responder");
        for (int i = 1; i < 5; i++) {
            replies.add(shop.requestAsync("quote.slow", new PriceQuery("r" + i), Price.class, WAIT));
        }
        // the other four have reached the responder's connection once a ping sent after them is answered
        ((NatsTransport) ((DefaultMessaging) shop).transportImpl()).connection().flush(WAIT);
        ((NatsTransport) ((DefaultMessaging) pricing).transportImpl()).connection().flush(WAIT);

        java.util.concurrent.CompletableFuture<Boolean> drained =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> pricing.drainSubscriptions(WAIT));
        release.countDown();

        assertTrue(drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "drained in time");
        for (int i = 0; i < 5; i++) {
            assertEquals(new Price("r" + i, 3), replies.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertThrows(NoRespondersException.class,
                () -> shop.request("quote.slow", new PriceQuery("late"), Price.class, WAIT));
    }

    private ConsumerInfo consumerInfo(Connection raw, String durable) {
        try {
            JetStreamManagement jsm = raw.jetStreamManagement();
            return jsm.getConsumerInfo("ORDERS", durable);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }


    @Test
    void aPayloadOverTheServersMaxPayloadIsRefusedWithAMessagingException() {
        Messaging m = messaging("orders", b -> b.addStream(StreamDefinition.builder("BIG").addSubject("big.>").build()));
        byte[] tooBig = new byte[2 * 1024 * 1024];
        MessagingException plain = assertThrows(MessagingException.class, () -> m.publish("big.plain", tooBig));
        assertTrue(plain.getMessage().contains("max_payload is 1048576 bytes"), plain.getMessage());
        assertThrows(MessagingException.class, () -> m.publishDurable("big.durable", tooBig, "id-1"));
    }
}
