package dev.flotilla.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.messaging.Envelope;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.MessagingHeaders;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.SubscriptionOptions;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing lost on JetStream: a flow that survives a nats-server restart with every message handled once, and
 * poison, malformed and oversized messages set aside with a reason while consuming goes on.
 */
class JetStreamReliabilityTest {

    /** An event with a business key, as the sample's events have (an order id). */
    record StockMoved(String id, int quantity) {
    }

    /**
     * An idempotent consumer, as the sample's are: the side effect (here a counter per key) happens once per key,
     * however often the message is delivered, because the key is remembered with the effect.
     */
    static final class IdempotentLedger {
        final Map<String, Integer> effects = new ConcurrentHashMap<>();
        final AtomicLong deliveries = new AtomicLong();
        final AtomicLong duplicatesAbsorbed = new AtomicLong();

        void handle(Envelope<StockMoved> message) {
            deliveries.incrementAndGet();
            if (effects.putIfAbsent(message.payload().id(), 1) != null) {
                duplicatesAbsorbed.incrementAndGet();
            }
        }

        long doubleEffects() {
            return effects.values().stream().filter(n -> n > 1).count();
        }
    }

    private static Messaging connect(NatsServer server, String service) {
        return Messaging.builder().serviceName(service)
                .nats(NatsSettings.builder().server(server.url())
                              .reconnectInitialWait(Duration.ofMillis(50)).reconnectMaxWait(Duration.ofMillis(500))
                              .pullExpiry(Duration.ofSeconds(1))
                              .build())
                .addStream(StreamDefinition.builder("STOCK").addSubject("stock.>").build())
                .build();
    }

    @Test
    void aFlowSurvivesANatsServerRestartWithNothingLostAndNoDoubleEffects() throws Exception {
        int total = Heavy.pick(2_000, 10_000);
        try (NatsServer server = NatsServer.start();
             Messaging publisher = connect(server, "stock-publisher");
             Messaging consumer = connect(server, "stock-consumer")) {
            IdempotentLedger ledger = new IdempotentLedger();
            consumer.subscribeDurable("stock.moved.v1", StockMoved.class,
                                      SubscriptionOptions.builder().ackWait(Duration.ofSeconds(2)).build(),
                                      ledger::handle);
            AtomicInteger published = new AtomicInteger();
            List<Throwable> publishFailures = new CopyOnWriteArrayList<>();
            Thread producer = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < total; i++) {
                    try {
                        // The same id on a retried publish: JetStream stores it once (duplicate window).
                        publisher.publishDurable("stock.moved.v1", new StockMoved("move-" + i, 1), "move-" + i);
                        published.incrementAndGet();
                    } catch (RuntimeException e) {
                        publishFailures.add(e);
                    }
                }
            });
            // Restart the server in the middle of the flow.
            eventually(Duration.ofSeconds(60), () -> assertTrue(published.get() >= total / 3));
            long restartAt = published.get();
            server.restart();
            long restartedAt = System.nanoTime();
            eventually(Duration.ofSeconds(60), () -> assertTrue(published.get() > restartAt));
            long resumedMs = (System.nanoTime() - restartedAt) / 1_000_000;
            producer.join(Duration.ofMinutes(3));
            eventually(Duration.ofSeconds(90), () -> assertEquals(total, ledger.effects.size()));

            Measured.scenario("jetstream-restart").put("published", published.get())
                    .put("publish-failures", publishFailures.size())
                    .put("restart-after", restartAt).put("publishing-resumed-ms-after-restart", resumedMs)
                    .put("handled-distinct", ledger.effects.size())
                    .put("lost", total - ledger.effects.size())
                    .put("deliveries", ledger.deliveries.get())
                    .put("duplicates-absorbed", ledger.duplicatesAbsorbed.get())
                    .put("double-side-effects", ledger.doubleEffects()).print();
            assertEquals(List.of(), publishFailures);
            assertEquals(total, published.get());
            assertEquals(0, ledger.doubleEffects());
        }
    }

    @Test
    void aPoisonMessageIsDeadLetteredAfterTheMaximumDeliveriesAndConsumingGoesOn() {
        try (NatsServer server = NatsServer.start();
             Messaging publisher = connect(server, "stock-publisher");
             Messaging consumer = connect(server, "stock-consumer");
             Messaging watcher = connect(server, "watcher")) {
            List<Envelope<byte[]>> dead = new CopyOnWriteArrayList<>();
            watcher.subscribe(consumer.deadLetterSubject(), byte[].class, dead::add);
            Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
            Set<String> handled = ConcurrentHashMap.newKeySet();
            int maxDeliver = 3;
            consumer.subscribeDurable("stock.moved.v1", StockMoved.class, SubscriptionOptions.builder()
                    .maxDeliver(maxDeliver).backoff(List.of(Duration.ofMillis(50))).build(), message -> {
                        attempts.computeIfAbsent(message.payload().id(), k -> new AtomicInteger()).incrementAndGet();
                        if (message.payload().id().equals("poison")) {
                            throw new IllegalStateException("this one always fails");
                        }
                        handled.add(message.payload().id());
                    });
            publisher.publishDurable("stock.moved.v1", new StockMoved("poison", 1), "poison");
            // Malformed: not JSON, and JSON of the wrong form; oversized: 900 KB that is not the event.
            publisher.publish("stock.moved.v1", "{not json".getBytes(StandardCharsets.UTF_8));
            publisher.publish("stock.moved.v1", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
            publisher.publish("stock.moved.v1", ("{\"id\":{\"deep\":\"" + "x".repeat(900_000) + "\"}}")
                    .getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 20; i++) {
                publisher.publishDurable("stock.moved.v1", new StockMoved("ok-" + i, 1), "ok-" + i);
            }

            eventually(Duration.ofSeconds(30), () -> {
                assertEquals(20, handled.size(), "consuming goes on");
                assertEquals(4, dead.size(), "poison, two malformed and one oversized message dead-lettered");
            });
            // Too big for the server at all: refused at publish, with a clear error.
            MessagingException tooBig = assertThrows(MessagingException.class, () -> publisher.publishDurable(
                    "stock.moved.v1", new StockMoved("x".repeat(2 * 1024 * 1024), 1), "too-big"));
            List<String> reasons = dead.stream()
                    .map(d -> d.header(MessagingHeaders.DEAD_LETTER_REASON).orElse("(none)")).toList();
            Measured.scenario("poison-and-malformed").put("max-deliver", maxDeliver)
                    .put("poison-attempts", attempts.get("poison").get())
                    .put("dead-lettered", dead.size()).put("good-handled-after", handled.size())
                    .put("reasons", reasons).put("over-max-payload", tooBig.getMessage()).print();
            assertEquals(maxDeliver, attempts.get("poison").get());
            assertTrue(reasons.stream().noneMatch(r -> r.equals("(none)")), reasons.toString());
        }
    }
}
