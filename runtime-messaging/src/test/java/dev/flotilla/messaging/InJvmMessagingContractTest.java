package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The contract on the in-JVM transport: several services share one broker. */
class InJvmMessagingContractTest extends MessagingContractTest {

    private final InJvmBroker broker = new InJvmBroker();

    @Override
    Messaging newMessaging(String serviceName) {
        return Messaging.builder().serviceName(serviceName).inJvm(broker).build();
    }

    @Override
    boolean supportsJetStream() {
        return false;
    }

    @Test
    void slowConsumerIsCountedAndLoggedNotBlockingThePublisher() {
        Messaging m = messaging("worker");
        CountDownLatch release = new CountDownLatch(1);
        m.subscribe(p + ".jobs", String.class, e -> release.await(20, TimeUnit.SECONDS));
        try {
            for (int i = 0; i < InJvmBroker.DEFAULT_PENDING_LIMIT + 100; i++) {
                m.publish(p + ".jobs", "x");
            }
            assertTrue(m.stats().slowConsumers() > 0, "slow consumer counted: " + m.stats());
        } finally {
            release.countDown();
        }
    }
}
