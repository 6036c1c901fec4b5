package dev.flotilla.testkit;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same system on the in-JVM transport, asked for explicitly, with two instances of one service. */
class InJvmTestSystemTest {

    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder()
            .nats(NatsMode.IN_JVM)
            .addService(new GreeterService())
            .addService(new AuditService())
            .addService(new AuditService())
            .build();

    @Test
    void runsOnTheInJvmTransport(@ServiceName("greeter-service") GreeterApi greeter) {
        assertEquals("in-jvm", SYSTEM.transport());
        assertTrue(SYSTEM.natsUrl().isEmpty());
        greeter.greet(new GreeterApi.Greet("Ada"));
        SYSTEM.messages().await(GreeterService.GREETED, GreeterApi.Greeted.class, e -> e.name().equals("Ada"));
        assertThrows(UnsupportedOperationException.class, SYSTEM::stopNats);
    }

    @Test
    void twoInstancesShareTheWorkOfOneQueueGroup(@ServiceName("greeter-service") GreeterApi greeter) {
        assertEquals(2, SYSTEM.instances("audit-service").size());
        AuditApi first = SYSTEM.client(AuditApi.class, "audit-service");
        long before = totalAudited();
        for (int i = 0; i < 40; i++) {
            greeter.greet(new GreeterApi.Greet("n" + i));
        }
        eventually(() -> assertEquals(before + 40, totalAudited(), "each event handled by exactly one instance"));
        assertTrue(first.count() >= 0);
    }

    private static long totalAudited() {
        return SYSTEM.instances("audit-service").stream()
                .mapToLong(h -> ((AuditService) h.service()).audited.get())
                .sum();
    }

    @Test
    void handlerFaultsWorkOnTheInJvmTransport(@ServiceName("greeter-service") GreeterApi greeter,
                                              @ServiceName("audit-service") Faults faults) {
        faults.failHandler(GreeterService.GREETED, 1);
        greeter.greet(new GreeterApi.Greet("Bea"));
        SYSTEM.messages().awaitCount("deadletter.audit-service", 1, Duration.ofSeconds(10));
        assertEquals(1, faults.injected());
    }
}
