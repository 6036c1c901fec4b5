package dev.flotilla.messaging.permissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsDiscovery;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small system (a greeter answering requests and publishing events, an auditor requesting, discovering and consuming
 * durably) under the permissions generated from what it did, on a real nats-server: each service still does all of
 * its work, and neither a stranger with credentials of its own nor a compromised auditor can impersonate the greeter,
 * answer its requests, publish its events or read its replies.
 */
class NatsPermissionsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HELLO = "greet.hello";
    private static final String GREETED = "greet.greeted.v1";
    private static final String AUDITED = "audit.greeted.v1";

    @TempDir
    static Path dir;
    private static NatsServer server;
    private static NatsPermissions permissions;
    private static Messaging greeter;
    private static Messaging auditor;
    private static final Queue<String> greetedSeen = new ConcurrentLinkedQueue<>();
    private static final Queue<String> auditedSeen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startUnderGeneratedPermissions() throws Exception {
        // 1. every user known up front, unrestricted: the system runs once so its usage can be collected
        NatsPermissions open = NatsPermissions.builder().unrestrictedUser("greeter").unrestrictedUser("auditor")
                .unrestrictedUser("stranger").unrestrictedUser("admin").build();
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, open.serverConfig());
        server = NatsServer.startWithConfig(conf);

        greeter = Messaging.builder().serviceName("greeter").httpUri(URI.create("http://greeter.test:1"))
                .nats(settings(open, "greeter"))
                .addStream(StreamDefinition.builder("AUDIT").addSubject("audit.>").build())
                .build();
        greeter.events().publishes(GREETED, String.class).publishes(AUDITED, String.class);
        greeter.respond(HELLO, String.class, request -> "Hello " + request.payload());

        auditor = Messaging.builder().serviceName("auditor").nats(settings(open, "auditor")).build();
        auditor.subscribe(GREETED, String.class, m -> greetedSeen.add(m.payload()));
        auditor.subscribeDurable(AUDITED, String.class, m -> auditedSeen.add(m.payload()));
        assertEquals("Hello Ada", auditor.request(HELLO, "Ada", String.class, WAIT));
        assertEquals(List.of(URI.create("http://greeter.test:1")),
                     NatsDiscovery.create(auditor, Duration.ofMillis(300)).lookup("greeter"));

        // 2. what they did, collected from $SRV.INFO, becomes the configuration, with the same keys
        NatsPermissions.Builder builder = NatsPermissions.builder()
                .collect(settings(open, "admin"), Duration.ofMillis(500))
                .service("stranger")
                .unrestrictedUser("admin");
        for (String user : open.users()) {
            builder.seed(user, open.serviceConfig(user).get(NatsPermissions.SEED_KEY).toCharArray());
        }
        permissions = builder.build();
        Files.writeString(conf, permissions.serverConfig());
        server.reload();
    }

    @AfterAll
    static void stop() {
        if (auditor != null) {
            auditor.close();
        }
        if (greeter != null) {
            greeter.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static NatsSettings settings(NatsPermissions permissions, String user) {
        return NatsSettings.builder().server(server.url())
                .nkeySeed(permissions.serviceConfig(user).get(NatsPermissions.SEED_KEY))
                .inboxPrefix(permissions.serviceConfig(user).get(NatsPermissions.INBOX_KEY))
                .reconnectMaxAttempts(0).build();
    }

    @Test
    void grantsExactlyWhatEachServiceDid() {
        List<String> publish = permissions.publishAllowed("greeter");
        assertTrue(publish.containsAll(List.of(GREETED, AUDITED, "deadletter.greeter", "$JS.API.STREAM.CREATE.AUDIT",
                                               "$JS.API.STREAM.UPDATE.AUDIT")), publish.toString());
        assertFalse(publish.contains(HELLO), publish.toString());
        List<String> subscribe = permissions.subscribeAllowed("greeter");
        assertTrue(subscribe.containsAll(List.of("_INBOX_greeter.>", HELLO + " greeter", "$SRV.*.greeter")),
                   subscribe.toString());
        assertTrue(permissions.publishAllowed("auditor").containsAll(List.of(HELLO, "$SRV.INFO.greeter",
                "$JS.API.CONSUMER.MSG.NEXT.AUDIT.auditor-audit_greeted_v1",
                "$JS.ACK.AUDIT.auditor-audit_greeted_v1.>")), permissions.publishAllowed("auditor").toString());
        assertTrue(permissions.subscribeAllowed("auditor").contains(GREETED + " auditor"));
        assertFalse(permissions.publishAllowed("auditor").contains(GREETED));
        assertEquals(List.of("$JS.API.STREAM.NAMES"), permissions.publishAllowed("stranger"));
        assertFalse(permissions.serverConfig().contains(permissions.serviceConfig("greeter")
                                                                   .get(NatsPermissions.SEED_KEY)));
        assertFalse(permissions.toString().contains("SU"));
    }

    @Test
    void everyServiceStillDoesItsWork() {
        String name = "Grace-" + System.nanoTime();
        assertEquals("Hello " + name, auditor.request(HELLO, name, String.class, WAIT));
        greeter.publish(GREETED, name);
        try {
            greeter.publishDurable(AUDITED, name);
        } catch (RuntimeException e) {
            throw new AssertionError(server.serverLog(), e);
        }
        Await.until(WAIT, () -> greetedSeen.contains(name), "the auditor receives the greeter's event");
        Await.until(WAIT, () -> auditedSeen.contains(name), "the auditor consumes the greeter's durable event");
        assertEquals(List.of(URI.create("http://greeter.test:1")),
                     NatsDiscovery.create(auditor, Duration.ofMillis(300)).lookup("greeter"));
        assertFalse(server.serverLog().contains("Permissions Violation"), server.serverLog());
    }

    @Test
    void aStrangerCannotImpersonateAnswerPublishOrRead() throws Exception {
        refusesEverythingOfTheGreeter("stranger");
    }

    @Test
    void aCompromisedServiceCannotImpersonateAnotherOne() throws Exception {
        refusesEverythingOfTheGreeter("auditor");
    }

    private void refusesEverythingOfTheGreeter(String user) throws Exception {
        try (Client client = new Client(user)) {
            client.refusedSubscription("$SRV.INFO.greeter", null);
            client.refusedSubscription("$SRV.PING.greeter", null);
            client.refusedSubscription(HELLO, "greeter");
            client.refusedSubscription(HELLO, null);
            client.refusedSubscription("_INBOX_greeter.>", null);
            client.refusedSubscription("_INBOX.>", null);
            client.refusedSubscription(">", null);
            client.refusedPublish(GREETED);
            client.refusedPublish(AUDITED);
            client.refusedPublish("$JS.API.CONSUMER.CREATE.AUDIT.thief");
        }
        // the real greeter still answers, and discovery still finds only it
        assertEquals("Hello Bob", auditor.request(HELLO, "Bob", String.class, WAIT));
        assertEquals(List.of(URI.create("http://greeter.test:1")),
                     NatsDiscovery.create(auditor, Duration.ofMillis(300)).lookup("greeter"));
    }

    /** A raw jnats client with a user's credentials, collecting the errors the server reports. */
    private static final class Client implements AutoCloseable {
        private final Queue<String> errors = new ConcurrentLinkedQueue<>();
        private final Connection connection;

        Client(String user) throws Exception {
            Options options = settings(permissions, user).toOptions("attacker-" + user)
                    .errorListener(new ErrorListener() {
                        @Override
                        public void errorOccurred(Connection conn, String error) {
                            errors.add(error);
                        }
                    })
                    .build();
            connection = Nats.connect(options);
        }

        void refusedSubscription(String subject, String queue) throws Exception {
            var subscription = queue == null ? connection.subscribe(subject) : connection.subscribe(subject, queue);
            connection.flush(WAIT);
            Await.until(WAIT, () -> errors.stream().anyMatch(e -> e.contains("Permissions Violation for Subscription")
                    && e.contains("\"" + subject + "\"")), () -> "a permissions violation for subscribing to "
                    + subject + "; errors: " + errors);
            assertTrue(connection.getStatus() == Connection.Status.CONNECTED);
            assertEquals(null, subscription.nextMessage(Duration.ofMillis(1)));
        }

        void refusedPublish(String subject) throws Exception {
            connection.publish(subject, "forged".getBytes(StandardCharsets.UTF_8));
            connection.flush(WAIT);
            Await.until(WAIT, () -> errors.stream().anyMatch(e -> e.contains("Permissions Violation for Publish")
                    && e.contains("\"" + subject + "\"")), () -> "a permissions violation for publishing to "
                    + subject + "; errors: " + errors);
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void theCommandChecksItsArgumentsBeforeConnecting() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, NatsPermissionsCommand.run(new String[0], out, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out DIR is required"));
        assertEquals(2, NatsPermissionsCommand.run(new String[] {"--out", "x", "--wait", "soon"}, out, errors));
        assertEquals(2, NatsPermissionsCommand.run(new String[] {"--out", "x", "--allow-publish", "greeter"}, out,
                                                   errors));
        assertEquals(1, NatsPermissionsCommand.run(new String[] {"--out", dir.resolve("none").toString(),
                "--server", "nats://127.0.0.1:1"}, out, errors));
    }

    @Test
    void theCommandWritesTheConfigurationAndKeepsExistingKeys() throws Exception {
        Path out = dir.resolve("generated");
        Path adminSeed = dir.resolve("admin.seed");
        Files.writeString(adminSeed, permissions.serviceConfig("admin").get(NatsPermissions.SEED_KEY));
        String[] args = {"--out", out.toString(), "--server", server.url(), "--wait", "PT0.5S",
                "--seed-file", adminSeed.toString(), "--admin", "ops", "--allow-publish", "greeter=greet.extra"};
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = new PrintStream(printed, true, StandardCharsets.UTF_8);
        assertEquals(0, NatsPermissionsCommand.run(args, stdout, System.err));
        String conf = Files.readString(out.resolve("authorization.conf"));
        assertTrue(conf.contains("# greeter") && conf.contains("# auditor") && conf.contains("# ops")
                           && conf.contains("\"greet.extra\""), conf);
        String greeterSeed = Files.readString(out.resolve("greeter.nk")).strip();
        assertTrue(greeterSeed.startsWith("SU"));
        assertFalse(printed.toString(StandardCharsets.UTF_8).contains(greeterSeed));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("greeter: messaging.nats.nkey-seed=${file:"));

        assertEquals(0, NatsPermissionsCommand.run(args, stdout, System.err));
        assertEquals(greeterSeed, Files.readString(out.resolve("greeter.nk")).strip());
        assertEquals(conf, Files.readString(out.resolve("authorization.conf")));
    }

    @Test
    void refusesSeedsThatAreNotUserSeedsAndEmptySystems() {
        assertThrows(IllegalArgumentException.class,
                     () -> NatsPermissions.builder().seed("greeter", "SAnotaseed".toCharArray()));
        assertThrows(IllegalStateException.class, () -> NatsPermissions.builder().build());
        assertThrows(IllegalArgumentException.class, () -> NatsPermissions.builder().allowPublish("a", "b c"));
    }
}
