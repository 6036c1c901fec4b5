package dev.flotilla.messaging;

import dev.flotilla.core.observability.CallContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flotilla.messaging.TestEvents.OrderCreated;
import dev.flotilla.messaging.TestEvents.Price;
import dev.flotilla.messaging.TestEvents.PriceQuery;
import dev.flotilla.resilience.Deadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The behaviour every transport must show, run against NATS and the in-JVM transport. Each test uses its own
 * subject prefix, so tests never see each other's messages.
 */
abstract class MessagingContractTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Messaging> created = new ArrayList<>();
    /** A subject prefix unique to the test. */
    String p;

    /** Messaging for one instance of the named service, connected to the same system as the others. */
    abstract Messaging newMessaging(String serviceName);

    abstract boolean supportsJetStream();

    Messaging messaging(String serviceName) {
        Messaging m = newMessaging(serviceName);
        created.add(m);
        return m;
    }

    @BeforeEach
    void prefix() {
        p = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeAll() {
        created.forEach(Messaging::close);
        MDC.clear();
    }

    @Test
    void deliversTypedEventsWithHeaders() {
        Messaging orders = messaging("orders");
        Messaging billing = messaging("billing");
        Queue<Envelope<OrderCreated>> received = new ConcurrentLinkedQueue<>();
        billing.subscribe(p + ".orders.order-created.v1", OrderCreated.class, received::add);
        awaitSubscriptionsPropagated(billing);
        OrderCreated event = new OrderCreated("o-1", 3, Instant.parse("2026-01-02T03:04:05Z"));

        orders.publish(p + ".orders.order-created.v1", event, Map.of("Tenant", "acme"));

        Await.until(WAIT, () -> received.size() == 1, "one event delivered");
        Envelope<OrderCreated> envelope = received.peek();
        assertEquals(event, envelope.payload());
        assertEquals(p + ".orders.order-created.v1", envelope.subject());
        assertEquals("acme", envelope.header("Tenant").orElseThrow());
        assertEquals(1, envelope.deliveryCount());
    }

    @Test
    void sharesMessagesAmongInstancesOfOneService() {
        Messaging publisher = messaging("orders");
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        Messaging billing1 = messaging("billing");
        Messaging billing2 = messaging("billing");
        billing1.subscribe(p + ".work", String.class, m -> first.incrementAndGet());
        billing2.subscribe(p + ".work", String.class, m -> second.incrementAndGet());
        awaitSubscriptionsPropagated(billing1);
        awaitSubscriptionsPropagated(billing2);

        for (int i = 0; i < 200; i++) {
            publisher.publish(p + ".work", "job-" + i);
        }

        Await.until(WAIT, () -> first.get() + second.get() == 200,
                () -> "200 jobs shared, got " + first.get() + " + " + second.get());
        assertTrue(first.get() > 0 && second.get() > 0,
                "both instances got work: " + first.get() + " + " + second.get());
    }

    @Test
    void broadcastDeliversToEveryInstance() {
        Messaging publisher = messaging("orders");
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        SubscriptionOptions broadcast = SubscriptionOptions.builder().broadcast(true).build();
        Messaging cache1 = messaging("cache");
        Messaging cache2 = messaging("cache");
        cache1.subscribe(p + ".invalidate", String.class, broadcast, m -> first.incrementAndGet());
        cache2.subscribe(p + ".invalidate", String.class, broadcast, m -> second.incrementAndGet());
        awaitSubscriptionsPropagated(cache1);
        awaitSubscriptionsPropagated(cache2);

        for (int i = 0; i < 20; i++) {
            publisher.publish(p + ".invalidate", "key-" + i);
        }

        Await.until(WAIT, () -> first.get() == 20 && second.get() == 20,
                () -> "every instance got all 20, got " + first.get() + " and " + second.get());
    }

    @Test
    void wildcardsMatchOneTokenOrTheRest() {
        Messaging m = messaging("audit");
        Queue<String> oneToken = new ConcurrentLinkedQueue<>();
        Queue<String> rest = new ConcurrentLinkedQueue<>();
        m.subscribe(p + ".orders.*.v1", String.class, e -> oneToken.add(e.subject()));
        m.subscribe(p + ".orders.>", String.class, SubscriptionOptions.builder().queueGroup("audit-all").build(),
                e -> rest.add(e.subject()));
        awaitSubscriptionsPropagated(m);

        m.publish(p + ".orders.created.v1", "a");
        m.publish(p + ".orders.created.v2", "b");
        m.publish(p + ".orders.line.added.v1", "c");

        Await.until(WAIT, () -> rest.size() == 3, () -> "'>' matched all three, got " + rest);
        Await.until(WAIT, () -> oneToken.size() == 1, () -> "'*' matched one, got " + oneToken);
        assertEquals(p + ".orders.created.v1", oneToken.peek());
    }

    @Test
    void requestGetsTypedReply() {
        messaging("pricing").respond(p + ".price", PriceQuery.class, q -> new Price(q.payload().sku(), 1999));
        Messaging client = messaging("shop");
        awaitResponder(client, p + ".price");

        Price price = client.request(p + ".price", new PriceQuery("sku-1"), Price.class, WAIT);

        assertEquals(new Price("sku-1", 1999), price);
        assertEquals(new Price("sku-2", 1999),
                client.requestAsync(p + ".price", new PriceQuery("sku-2"), Price.class, WAIT).join());
    }

    @Test
    void responderErrorComesBackAsTypedErrorNotTimeout() {
        messaging("pricing").respond(p + ".price", PriceQuery.class, q -> {
            throw new IllegalStateException("no price for " + q.payload().sku());
        });
        Messaging client = messaging("shop");
        awaitResponder(client, p + ".price");

        long start = System.nanoTime();
        RemoteHandlerException e = assertThrows(RemoteHandlerException.class,
                () -> client.request(p + ".price", new PriceQuery("sku-9"), Price.class, Duration.ofSeconds(30)));

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "came back before the timeout");
        assertEquals(IllegalStateException.class.getName(), e.errorType());
        assertEquals("no price for sku-9", e.errorMessage());
        assertEquals(500, e.errorCode());
    }

    @Test
    void requestWithoutResponderFailsFast() {
        Messaging client = messaging("shop");
        long start = System.nanoTime();

        assertThrows(NoRespondersException.class,
                () -> client.request(p + ".nobody", new PriceQuery("x"), Price.class, Duration.ofSeconds(30)));

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "failed before the timeout");
    }

    @Test
    void slowResponderTimesOut() {
        CountDownLatch release = new CountDownLatch(1);
        Messaging pricing = messaging("pricing");
        pricing.respond(p + ".slow", PriceQuery.class, q -> {
            release.await(10, TimeUnit.SECONDS);
            return new Price("late", 0);
        });
        Messaging client = messaging("shop");
        awaitSubscriptionsPropagated(pricing);
        try {
            assertThrows(RequestTimeoutException.class,
                    () -> client.request(p + ".slow", new PriceQuery("x"), Price.class, Duration.ofMillis(200)));
        } finally {
            release.countDown();
        }
    }

    @Test
    void undecodablePayloadGoesToDeadLetterAndSubscriptionGoesOn() {
        Messaging billing = messaging("billing");
        Queue<Envelope<byte[]>> deadLetters = new ConcurrentLinkedQueue<>();
        Messaging ops = messaging("ops");
        ops.subscribe(billing.deadLetterSubject(), byte[].class,
                SubscriptionOptions.builder().broadcast(true).build(), deadLetters::add);
        awaitSubscriptionsPropagated(ops);
        Queue<OrderCreated> handled = new ConcurrentLinkedQueue<>();
        billing.subscribe(p + ".orders", OrderCreated.class, e -> handled.add(e.payload()));
        awaitSubscriptionsPropagated(billing);

        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        billing.publish(p + ".orders", garbage, Map.of("Tenant", "acme"));
        billing.publish(p + ".orders", new OrderCreated("o-2", 1, Instant.EPOCH));

        Await.until(WAIT, () -> deadLetters.size() == 1 && handled.size() == 1,
                () -> "one dead letter and one handled, got " + deadLetters + " and " + handled);
        Envelope<byte[]> dead = deadLetters.peek();
        assertArrayEquals(garbage, dead.payload());
        assertTrue(dead.header(MessagingHeaders.DEAD_LETTER_REASON).orElseThrow().startsWith("undecodable payload"),
                dead.headers().toString());
        assertEquals(p + ".orders", dead.header(MessagingHeaders.ORIGINAL_SUBJECT).orElseThrow());
        assertEquals("acme", dead.header("Tenant").orElseThrow());
        assertEquals("billing", dead.header(MessagingHeaders.DEAD_LETTER_SERVICE).orElseThrow());
        assertEquals(1, billing.stats().deadLettered());
    }

    @Test
    void failingCoreHandlerDeadLettersTheMessage() {
        Messaging billing = messaging("billing");
        Queue<Envelope<byte[]>> deadLetters = new ConcurrentLinkedQueue<>();
        billing.subscribe(billing.deadLetterSubject(), byte[].class,
                SubscriptionOptions.builder().queueGroup("dlq-reader").build(), deadLetters::add);
        billing.subscribe(p + ".orders", OrderCreated.class, e -> {
            throw new IllegalArgumentException("bad order " + e.payload().orderId());
        });
        awaitSubscriptionsPropagated(billing);

        billing.publish(p + ".orders", new OrderCreated("o-3", 1, Instant.EPOCH));

        Await.until(WAIT, () -> deadLetters.size() == 1, "one dead letter");
        assertEquals("handler failed: java.lang.IllegalArgumentException: bad order o-3",
                deadLetters.peek().header(MessagingHeaders.DEAD_LETTER_REASON).orElseThrow());
    }

    @Test
    void correlationIdTravelsAndIsRestoredInHandlerMdc() {
        Messaging orders = messaging("orders");
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        Messaging billing = messaging("billing");
        billing.subscribe(p + ".orders", String.class, e -> {
            seen.add(MDC.get("correlationId") + "/" + MDC.get("service") + "/" + MDC.get("traceId")
                    + "/" + Thread.currentThread().isVirtual());
        });
        awaitSubscriptionsPropagated(billing);

        publishInTracedContext(orders, "req-42", "hello");

        Await.until(WAIT, () -> seen.size() == 1, "one message");
        assertEquals("req-42/billing/0af7651916cd43dd8448eb211c80319c/true", seen.peek());
    }

    /** Publishes {@code payload} on {@code <p>.orders} from within a context with this correlation id and a trace. */
    private void publishInTracedContext(Messaging publisher, String correlationId, String payload) {
        CallContext.Scope scope = CallContext.of("orders", correlationId)
                .withTrace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null)
                .open();
        try {
            publisher.publish(p + ".orders", payload);
        } finally {
            scope.close();
        }
    }

    @Test
    void aMessageWithoutTraceOrCorrelationSeesNothingOfThePreviousOne() {
        Messaging orders = messaging("orders");
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        Messaging billing = messaging("billing");
        billing.subscribe(p + ".orders", String.class, e -> seen.add(e.payload() + ":" + MDC.get("correlationId")
                + "/" + MDC.get("service") + "/" + MDC.get("traceId") + "/" + MDC.get("spanId")));
        awaitSubscriptionsPropagated(billing);

        publishInTracedContext(orders, "req-43", "first");
        Await.until(WAIT, () -> seen.size() == 1, "the first message");
        orders.publish(p + ".orders", "second");
        Await.until(WAIT, () -> seen.size() == 2, "the second message");

        List<String> both = List.copyOf(seen);
        assertTrue(both.get(0).startsWith("first:req-43/billing/0af7651916cd43dd8448eb211c80319c/"), both.get(0));
        String second = both.get(1);
        assertTrue(second.startsWith("second:") && second.endsWith("/billing/null/null"), second);
        String correlation = second.substring("second:".length(), second.indexOf('/'));
        assertTrue(CallContext.isValidCorrelationId(correlation) && !correlation.equals("req-43"), second);
    }

    @Test
    void concurrencyRunsHandlersInParallel() throws InterruptedException {
        Messaging m = messaging("worker");
        CountDownLatch allRunning = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        m.subscribe(p + ".jobs", String.class, SubscriptionOptions.builder().concurrency(4).build(), e -> {
            allRunning.countDown();
            release.await(10, TimeUnit.SECONDS);
        });
        awaitSubscriptionsPropagated(m);

        for (int i = 0; i < 4; i++) {
            m.publish(p + ".jobs", "job-" + i);
        }

        try {
            assertTrue(allRunning.await(10, TimeUnit.SECONDS), "four handlers ran at once");
        } finally {
            release.countDown();
        }
    }

    @Test
    void drainLetsHandlersInFlightFinish() {
        Messaging m = messaging("worker");
        AtomicInteger done = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Subscription s = m.subscribe(p + ".jobs", String.class, e -> {
            started.countDown();
            Thread.sleep(50); // the work itself; not waiting for a condition
            done.incrementAndGet();
        });
        awaitSubscriptionsPropagated(m);
        for (int i = 0; i < 5; i++) {
            m.publish(p + ".jobs", "job-" + i);
        }
        Await.until(WAIT, () -> started.getCount() == 0, "first handler started");

        assertTrue(s.drain(WAIT), "drained in time");

        assertEquals(5, done.get());
    }

    @Test
    void durableCallsWorkOnlyWhereJetStreamIs() {
        Messaging m = messaging("orders");
        StreamDefinition stream = StreamDefinition.builder("S" + p).addSubject(p + ".durable.>").build();
        if (supportsJetStream()) {
            m.declareStream(stream);
            Queue<OrderCreated> received = new ConcurrentLinkedQueue<>();
            m.subscribeDurable(p + ".durable.orders", OrderCreated.class, e -> received.add(e.payload()));
            PublishAck ack = m.publishDurable(p + ".durable.orders", new OrderCreated("o-5", 1, Instant.EPOCH));
            assertEquals("S" + p, ack.stream());
            assertFalse(ack.duplicate());
            Await.until(WAIT, () -> received.size() == 1, "durable message delivered");
        } else {
            assertThrows(UnsupportedByTransportException.class, () -> m.declareStream(stream));
            assertThrows(UnsupportedByTransportException.class,
                    () -> m.publishDurable(p + ".durable.orders", "x"));
            assertThrows(UnsupportedByTransportException.class,
                    () -> m.subscribeDurable(p + ".durable.orders", String.class, e -> { }));
        }
    }

    @Test
    void refusesWildcardPublishAndClosedUse() {
        Messaging m = messaging("orders");
        assertThrows(IllegalArgumentException.class, () -> m.publish(p + ".orders.*", "x"));
        assertThrows(IllegalArgumentException.class, () -> m.publish(p + "..orders", "x"));
        m.close();
        MessagingException e = assertThrows(MessagingException.class, () -> m.publish(p + ".orders", "x"));
        assertEquals("Messaging of service 'orders' is closed", e.getMessage());
    }

    // ---- deadlines (docs/messaging.md, "Deadlines")

    /** The remaining deadline of the handler's context in milliseconds, or "none". */
    private static String deadlineSeen() {
        return CallContext.current().flatMap(CallContext::deadline)
                .map(d -> Long.toString(d.remaining().toMillis())).orElse("none");
    }

    /** Runs a call in a context of the service "shop" whose deadline is {@code budget} from now. */
    private static <T> T within(Duration budget, java.util.function.Supplier<T> call) {
        CallContext.Scope scope = CallContext.of("shop", "dl-" + budget.toMillis())
                .withDeadline(Deadline.after(budget)).open();
        try {
            return call.get();
        } finally {
            scope.close();
        }
    }

    @Test
    void aRequestCarriesWhatIsLeftOfTheCallersDeadlineToTheResponder() {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        messaging("pricing").respond(p + ".price", PriceQuery.class, q -> {
            seen.add(q.payload().sku() + "=" + deadlineSeen());
            return new Price(q.payload().sku(), 1);
        });
        Messaging client = messaging("shop");
        awaitResponder(client, p + ".price");
        seen.clear();

        within(Duration.ofSeconds(3), () -> client.request(p + ".price", new PriceQuery("deadline"), Price.class, WAIT));
        within(Duration.ofSeconds(3), () -> client.request(p + ".price", new PriceQuery("timeout"), Price.class,
                                                           Duration.ofSeconds(1)));
        within(Duration.ofSeconds(3), () -> client.requestAsync(p + ".price", new PriceQuery("async"), Price.class,
                                                                WAIT)).join();
        client.request(p + ".price", new PriceQuery("none"), Price.class, WAIT);

        List<String> all = List.copyOf(seen);
        assertEquals(4, all.size(), all.toString());
        assertBetween(1, 3_000, all.get(0), "deadline=");
        assertBetween(1, 1_000, all.get(1), "timeout=");   // the request's own timeout was the smaller
        assertBetween(1, 3_000, all.get(2), "async=");
        assertEquals("none=none", all.get(3), "a request outside any deadline carries none");
    }

    private static void assertBetween(long min, long max, String seen, String prefix) {
        assertTrue(seen.startsWith(prefix), seen);
        long millis = Long.parseLong(seen.substring(prefix.length()));
        assertTrue(millis >= min && millis <= max, "the responder's deadline within [" + min + ", " + max
                + "] ms: " + seen);
    }

    @Test
    void aRequestWithNoTimeLeftFailsAtOnceWithoutBeingSent() {
        AtomicInteger answered = new AtomicInteger();
        messaging("pricing").respond(p + ".price", PriceQuery.class, q -> {
            answered.incrementAndGet();
            return new Price(q.payload().sku(), 1);
        });
        Messaging client = messaging("shop");
        awaitResponder(client, p + ".price");
        int before = answered.get();

        long start = System.nanoTime();
        RequestTimeoutException sync = assertThrows(RequestTimeoutException.class, () -> within(Duration.ZERO,
                () -> client.request(p + ".price", new PriceQuery("late"), Price.class, WAIT)));
        java.util.concurrent.CompletableFuture<Price> async = within(Duration.ZERO,
                () -> client.requestAsync(p + ".price", new PriceQuery("late"), Price.class, WAIT));

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "failed without waiting");
        assertEquals("The caller's deadline ran out before the request to '" + p + ".price' was sent; it was not "
                + "sent.", sync.getMessage());
        java.util.concurrent.CompletionException e = assertThrows(java.util.concurrent.CompletionException.class,
                                                                   async::join);
        assertTrue(e.getCause() instanceof RequestTimeoutException, e.toString());
        client.request(p + ".price", new PriceQuery("on-time"), Price.class, WAIT);
        assertEquals(before + 1, answered.get(), "only the request sent in time reached the responder");
    }

    @Test
    void aRequestWhoseDeadlineRunsOutWhileQueuedNeverReachesTheResponder() {
        Queue<String> ran = new ConcurrentLinkedQueue<>();
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Messaging pricing = messaging("pricing");
        pricing.respond(p + ".price", PriceQuery.class, SubscriptionOptions.builder().concurrency(2).build(), q -> {
            ran.add(q.payload().sku());
            if (q.payload().sku().startsWith("busy")) {
                running.countDown();
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            return new Price(q.payload().sku(), 1);
        });
        Messaging client = messaging("shop");
        awaitResponder(client, p + ".price");
        ran.clear();
        long handledBefore = pricing.stats().handled();
        var busy1 = client.requestAsync(p + ".price", new PriceQuery("busy-1"), Price.class, WAIT);
        var busy2 = client.requestAsync(p + ".price", new PriceQuery("busy-2"), Price.class, WAIT);
        try {
            Await.until(WAIT, () -> running.getCount() == 0, "both workers of the responder busy");

            // queued behind the two: the requester gives up when its 300 ms are over
            RequestTimeoutException e = assertThrows(RequestTimeoutException.class, () -> within(
                    Duration.ofMillis(300), () -> client.request(p + ".price", new PriceQuery("queued"), Price.class,
                                                                 WAIT)));
            assertTrue(e.getMessage().contains("what was left of the caller's deadline"), e.getMessage());
        } finally {
            release.countDown();
        }

        assertEquals(new Price("busy-1", 1), busy1.join());
        assertEquals(new Price("busy-2", 1), busy2.join());
        Await.until(WAIT, () -> pricing.stats().expired() == 1, () -> "the queued request expired: "
                + pricing.stats());
        assertEquals(Set.of("busy-1", "busy-2"), Set.copyOf(ran), "the expired request was not run");
        assertEquals(handledBefore + 2, pricing.stats().handled());
    }

    @Test
    void anEventDoesNotCarryThePublishersDeadline() {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        Messaging billing = messaging("billing");
        billing.subscribe(p + ".orders", String.class, e -> seen.add(e.payload() + "=" + deadlineSeen()
                + "/" + e.header(MessagingHeaders.DEADLINE).orElse("no header")));
        awaitSubscriptionsPropagated(billing);
        Messaging orders = messaging("orders");

        within(Duration.ofMillis(1), () -> {
            orders.publish(p + ".orders", "event");
            return null;
        });

        Await.until(WAIT, () -> seen.size() == 1, "the event handled, though its publisher's deadline ran out");
        assertEquals("event=none/no header", seen.peek());
    }

    @Test
    void anEventPublishedWithABudgetOfItsOwnIsDroppedOnceItRanOut() {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        Messaging quotes = messaging("quotes");
        quotes.subscribe(p + ".ticks", String.class, e -> seen.add(e.payload() + "=" + deadlineSeen()));
        awaitSubscriptionsPropagated(quotes);
        Messaging feed = messaging("feed");

        feed.publish(p + ".ticks", "stale", Map.of(MessagingHeaders.DEADLINE, "0"));
        feed.publish(p + ".ticks", "fresh", Map.of(MessagingHeaders.DEADLINE, "60000"));

        Await.until(WAIT, () -> seen.size() == 1 && quotes.stats().expired() == 1,
                () -> "the fresh tick handled and the stale one expired: " + seen + " " + quotes.stats());
        assertBetween(1, 60_000, seen.peek(), "fresh=");
        assertEquals(0, quotes.stats().deadLettered(), "an expired event is not a failure");
    }

    @Test
    void durableMessagesNeverCarryADeadline() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsJetStream(), "JetStream");
        Messaging m = messaging("orders");
        m.declareStream(StreamDefinition.builder("D" + p).addSubject(p + ".stored.>").build());
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        m.subscribeDurable(p + ".stored.orders", String.class, e -> seen.add(e.payload() + "=" + deadlineSeen()));

        within(Duration.ofSeconds(1), () -> m.publishDurable(p + ".stored.orders", "durable"));
        // a budget put on a message that a stream stores means nothing when it is delivered, maybe again, later
        m.publish(p + ".stored.orders", "captured", Map.of(MessagingHeaders.DEADLINE, "0"));

        Await.until(WAIT, () -> seen.size() == 2, () -> "both stored messages handled: " + seen);
        assertEquals(Set.of("durable=none", "captured=none"), Set.copyOf(seen));
        assertEquals(0, m.stats().expired());
    }

    /**
     * Subscriptions on NATS reach the server asynchronously; a request-reply round trip through the same
     * server proves earlier subscriptions are in place.
     */
    void awaitSubscriptionsPropagated(Messaging m) {
        String subject = p + ".ready." + UUID.randomUUID().toString().substring(0, 6);
        Subscription s = m.respond(subject, Object.class, q -> "ok");
        try {
            awaitResponder(m, subject);
        } finally {
            s.close();
        }
    }

    void awaitResponder(Messaging client, String subject) {
        Await.until(WAIT, () -> {
            try {
                client.request(subject, new PriceQuery("ping"), Object.class, Duration.ofSeconds(1));
                return true;
            } catch (NoRespondersException | RequestTimeoutException e) {
                return false;
            } catch (MessagingException e) {
                return true;
            }
        }, "responder on " + subject);
    }
}
