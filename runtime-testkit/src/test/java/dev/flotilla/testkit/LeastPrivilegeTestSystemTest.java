package dev.flotilla.testkit;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.permissions.NatsPermissions;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A test system under least-privilege NATS: every service still does its work (pub/sub, request-reply, durable
 * consumption, central configuration, a restart), and a stranger or a compromised service is refused by the server.
 */
class LeastPrivilegeTestSystemTest {
    private static final String ENTRY = "ledger.entry-added.v1";
    private static final String BALANCE = "ledger-queries.balance";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    static final TestSystem system = TestSystem.builder()
            .addService(new GreeterService())
            .addService(new AuditService())
            .addService(new LedgerService())
            .centralConfig(Map.of("shared.features.loud", "false"))
            // the greeter publishes only when greeting, long after start, and does not declare its event
            .leastPrivilegeNats(grants -> grants.allowPublish("greeter-service", GreeterService.GREETED)
                    .service("stranger"))
            .build();

    /** Answers its balance, consumes its entries durably, declares its event and stream at start. */
    static final class LedgerService extends Service {
        final AtomicLong balance = new AtomicLong();

        LedgerService() {
            super("ledger-service", "1.0.0");
        }

        @Override
        protected void start(ServiceContext context) {
            Messaging messaging = context.extension(Messaging.class);
            messaging.declareStream(StreamDefinition.builder("LEDGER").addSubject("ledger.>").build());
            messaging.events().publishes(ENTRY, Long.class);
            messaging.subscribeDurable(ENTRY, Long.class, m -> balance.addAndGet(m.payload()));
            messaging.respond(BALANCE, String.class, request -> balance.get());
        }
    }

    private static long balance() {
        Object reply = system.messaging().request(BALANCE, "now", Object.class, WAIT);
        if (!(reply instanceof Number n)) {
            throw new AssertionError(reply);
        }
        return n.longValue();
    }

    @Test
    void everyServiceDoesItsWorkUnderItsOwnPermissions() {
        NatsPermissions permissions = system.natsPermissions().orElseThrow();
        assertTrue(permissions.subscribeAllowed("ledger-service").contains(BALANCE + " ledger-service"));
        assertTrue(permissions.publishAllowed("audit-service").contains("$SRV.INFO.ledger-service"));

        // pub/sub: greeted over HTTP, audited through NATS
        GreeterApi greeter = system.client(GreeterApi.class, "greeter-service");
        AuditApi audit = system.client(AuditApi.class, "audit-service");
        long audited = audit.count();
        greeter.greet(new GreeterApi.Greet("Ada"));
        eventually(() -> assertEquals(audited + 1, audit.count()));

        // durable consumption and request-reply
        long before = balance();
        system.messaging().publishDurable(ENTRY, 5L);
        eventually(() -> assertEquals(before + 5, balance()));

        // central configuration, watched under the bucket's grants
        system.centralConfig().put("shared.features.loud", "true");
        eventually(() -> assertTrue(system.service("greeter-service").context().feature("loud")));

        // a restarted service connects under its permissions from the start
        system.service("audit-service").stop();
        system.service("audit-service").start();
        greeter.greet(new GreeterApi.Greet("Grace"));
        eventually(() -> assertEquals(audited + 2, system.client(AuditApi.class, "audit-service").count()));

        for (String service : new String[] {"greeter-service", "audit-service", "ledger-service"}) {
            assertTrue(system.logs(service).stream().noneMatch(l -> l.toString().contains("Permissions Violation")),
                       () -> service + " was refused something: " + system.logs(service));
        }
    }

    @Test
    void aStrangerIsRefused() throws Exception {
        refusesTheLedgersSubjects("stranger");
    }

    @Test
    void aCompromisedServiceCannotImpersonateAnother() throws Exception {
        refusesTheLedgersSubjects("audit-service");
    }

    private static void refusesTheLedgersSubjects(String user) throws Exception {
        NatsPermissions permissions = system.natsPermissions().orElseThrow();
        Queue<String> errors = new ConcurrentLinkedQueue<>();
        NatsSettings settings = NatsSettings.builder().server(system.natsUrl().orElseThrow())
                .nkeySeed(permissions.serviceConfig(user).get(NatsPermissions.SEED_KEY))
                .inboxPrefix(permissions.serviceConfig(user).get(NatsPermissions.INBOX_KEY)).build();
        Connection connection = Nats.connect(settings.toOptions("attacker").errorListener(new ErrorListener() {
            @Override
            public void errorOccurred(Connection conn, String error) {
                errors.add(error);
            }
        }).build());
        try {
            Subscription answering = connection.subscribe(BALANCE, "ledger-service");
            Subscription registering = connection.subscribe("$SRV.INFO.ledger-service");
            Subscription reading = connection.subscribe("_INBOX_ledger-service.>");
            connection.publish(ENTRY, "1000000".getBytes(StandardCharsets.UTF_8));
            connection.flush(WAIT);
            for (String refused : new String[] {"Subscription to \"" + BALANCE + "\"",
                    "Subscription to \"$SRV.INFO.ledger-service\"", "Subscription to \"_INBOX_ledger-service.>\"",
                    "Publish to \"" + ENTRY + "\""}) {
                eventually(WAIT, () -> assertTrue(errors.stream().anyMatch(
                        e -> e.contains("Permissions Violation for " + refused)), () -> refused + ": " + errors));
            }
            // the real ledger still answers every request, and no forged entry reached it
            long now = balance();
            for (int i = 0; i < 5; i++) {
                assertEquals(now, balance());
            }
            assertNull(answering.nextMessage(Duration.ofMillis(1)));
            assertNull(registering.nextMessage(Duration.ofMillis(1)));
            assertNull(reading.nextMessage(Duration.ofMillis(1)));
        } finally {
            connection.close();
        }
    }
}
