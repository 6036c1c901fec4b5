package dev.flotilla.reliability;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.SubscriptionOptions;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Heavy: a three-node NATS cluster on loopback with a replicated (R3) stream; one node killed (SIGKILL) under load.
 * Services reconnect to the others, nothing acknowledged is lost, and publishes resume within seconds.
 */
class ClusterReliabilityTest {

    private static Messaging connect(NatsCluster cluster, String service) {
        return Messaging.builder().serviceName(service)
                .nats(NatsSettings.builder().servers(cluster.urls())
                              .reconnectInitialWait(Duration.ofMillis(50)).reconnectMaxWait(Duration.ofMillis(500))
                              .pullExpiry(Duration.ofSeconds(1))
                              .build())
                .build();
    }

    @Test
    void aNodeKilledUnderLoadLosesNothingOnAReplicatedStream() throws Exception {
        Heavy.required();
        int total = 5_000;
        try (NatsCluster cluster = NatsCluster.start(3);
             Messaging publisher = connect(cluster, "stock-publisher");
             Messaging consumer = connect(cluster, "stock-consumer");
             JetStreamReliabilityTest.IdempotentLedger ledger = new JetStreamReliabilityTest.IdempotentLedger()) {
            // The cluster elects its JetStream meta leader after the routes are up: declare once it can.
            eventually(Duration.ofSeconds(30), () -> publisher.declareStream(StreamDefinition.builder("STOCK")
                    .addSubject("stock.>").replicas(3).duplicateWindow(Duration.ofMinutes(2)).build()));
            consumer.subscribeDurable("stock.moved.v1", JetStreamReliabilityTest.StockMoved.class,
                                      SubscriptionOptions.builder().ackWait(Duration.ofSeconds(2)).build(),
                                      ledger::handle);
            AtomicInteger published = new AtomicInteger();
            AtomicLong longestGapNanos = new AtomicLong();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread producer = Thread.ofVirtual().start(() -> {
                long last = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    try {
                        publisher.publishDurable("stock.moved.v1", new JetStreamReliabilityTest.StockMoved(
                                "move-" + i, 1), "move-" + i);
                        published.incrementAndGet();
                        long now = System.nanoTime();
                        longestGapNanos.accumulateAndGet(now - last, Math::max);
                        last = now;
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            });
            eventually(Duration.ofSeconds(60), () -> assertTrue(published.get() >= total / 3));
            int killedAt = published.get();
            cluster.kill(0);
            producer.join(Duration.ofMinutes(3));
            eventually(Duration.ofSeconds(90), () -> assertEquals(total, ledger.distinctKeys()));
            Measured.scenario("r3-cluster-node-killed").put("nodes", 3).put("replicas", 3)
                    .put("published", published.get()).put("publish-failures", failures.size())
                    .put("killed-after", killedAt)
                    .put("longest-publish-gap-ms", longestGapNanos.get() / 1_000_000)
                    .put("handled-distinct", ledger.distinctKeys()).put("lost", total - ledger.distinctKeys())
                    .put("deliveries", ledger.deliveries.get()).put("effects", ledger.effects())
                    .put("duplicates-absorbed", ledger.deliveries.get() - ledger.effects())
                    .put("double-side-effects", ledger.doubleEffects()).print();
            assertEquals(List.of(), failures);
            assertEquals(total, ledger.effects(), "one effect per key: every effect counted, doubles included");
            assertEquals(0, ledger.doubleEffects());
        }
    }
}
