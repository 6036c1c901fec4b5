package dev.flotilla.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.nats.client.NKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No one let in on NATS: user/password, token, NKey, credentials files (operator mode, JWTs signed by the test) and
 * TLS (one-way and mutual, with certificates made by the test) accept the right settings, refuse wrong ones with a
 * clear message, and no secret reaches a log line, an exception message or a {@code toString()}.
 */
class NatsSecurityTest {
    private static final String PASSWORD = "pw-7f3c9a1e";
    private static final String TOKEN = "tok-51b2d8e4";

    private static TestCertificates certs;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.shared();
    }

    private static Messaging connect(NatsSettings settings) {
        return Messaging.builder().serviceName("order-service").nats(settings).build();
    }

    /** Connects with the right settings, then fails with each wrong one; returns the failures' messages. */
    private static List<String> acceptsRightAndRefusesWrong(NatsSettings right, List<NatsSettings> wrong) {
        try (Messaging m = connect(right)) {
            assertTrue(m.isConnected());
        }
        List<String> messages = new ArrayList<>();
        for (NatsSettings settings : wrong) {
            MessagingException e = assertThrows(MessagingException.class, () -> connect(settings).close());
            assertTrue(e.getMessage().startsWith("Cannot connect to NATS at "), e.getMessage());
            messages.add(e.getMessage() + (e.getCause() == null ? "" : " | " + e.getCause()));
        }
        return messages;
    }

    @Test
    void passwordTokenAndNKeyLetTheRightClientInOnlyAndNoSecretIsPrinted() throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        NKey stranger = NKey.createUser(new SecureRandom());
        String seed = new String(user.getSeed());
        String strangerSeed = new String(stranger.getSeed());
        Path nkeyConf = certs.dir.resolve("nkey.conf");
        Files.writeString(nkeyConf, "authorization { users = [ { nkey: \"" + new String(user.getPublicKey())
                + "\" } ] }\n");
        List<String> failures = new ArrayList<>();
        List<String> printed = new ArrayList<>();
        try (CapturedLogs logs = CapturedLogs.attach()) {
            try (NatsServer server = NatsServer.start("--user", "orders", "--pass", PASSWORD)) {
                failures.addAll(acceptsRightAndRefusesWrong(
                        NatsSettings.builder().server(server.url()).userInfo("orders", PASSWORD).build(),
                        List.of(NatsSettings.builder().server(server.url()).userInfo("orders", "wrong-" + PASSWORD)
                                        .build(),
                                NatsSettings.builder().server(server.url()).build())));
                printed.add(NatsSettings.builder().server(server.url()).userInfo("orders", PASSWORD).build()
                                    .toString());
            }
            try (NatsServer server = NatsServer.start("--auth", TOKEN)) {
                failures.addAll(acceptsRightAndRefusesWrong(
                        NatsSettings.builder().server(server.url()).token(TOKEN).build(),
                        List.of(NatsSettings.builder().server(server.url()).token(TOKEN + "-wrong").build())));
                printed.add(NatsSettings.builder().server(server.url()).token(TOKEN).build().toString());
            }
            try (NatsServer server = NatsServer.start("-c", nkeyConf.toString())) {
                failures.addAll(acceptsRightAndRefusesWrong(
                        NatsSettings.builder().server(server.url()).nkeySeed(seed).build(),
                        List.of(NatsSettings.builder().server(server.url()).nkeySeed(strangerSeed).build())));
                printed.add(NatsSettings.builder().server(server.url()).nkeySeed(seed).build().toString());
                MessagingException notASeed = assertThrows(MessagingException.class, () -> connect(
                        NatsSettings.builder().server(server.url()).nkeySeed("SU" + TOKEN).build()));
                failures.add(notASeed.getMessage());
            }
            // the four refusals by the server point at the credentials, not at the address
            assertTrue(failures.subList(0, 4).stream().allMatch(f -> f.contains("the server refused the credentials")),
                       failures.toString());
            String[] secrets = {PASSWORD, TOKEN, seed, strangerSeed, "SU" + TOKEN};
            List<String> leaking = new ArrayList<>(logs.containing(secrets));
            for (String text : concat(failures, printed)) {
                for (String secret : secrets) {
                    if (text.contains(secret)) {
                        leaking.add(text);
                    }
                }
            }
            Measured.scenario("nats-auth").put("methods", "user/password, token, nkey")
                    .put("refused-wrong", failures.size()).put("log-lines", logs.lines().size())
                    .put("secrets-in-logs-messages-or-toString", leaking.size())
                    .put("example-refusal", failures.getFirst()).print();
            assertEquals(List.of(), leaking);
        }
    }

    @Test
    void tlsAndMutualTlsWithGeneratedCertificates() throws Exception {
        Path oneWay = certs.dir.resolve("tls.conf");
        Files.writeString(oneWay, "tls { cert_file: \"" + certs.serverCertPem + "\", key_file: \""
                + certs.serverKeyPem + "\" }\n");
        Path mutual = certs.dir.resolve("mtls.conf");
        Files.writeString(mutual, "tls { cert_file: \"" + certs.serverCertPem + "\", key_file: \""
                + certs.serverKeyPem + "\", ca_file: \"" + certs.caPem + "\", verify: true }\n");
        Supplier<NatsSettings.Builder> trusting = () -> NatsSettings.builder()
                .truststore(certs.truststore, TestCertificates.PASSWORD);
        List<String> refusals = new ArrayList<>();
        try (CapturedLogs logs = CapturedLogs.attach()) {
            try (NatsServer server = NatsServer.start("-c", oneWay.toString())) {
                refusals.addAll(acceptsRightAndRefusesWrong(
                        trusting.get().server(server.url()).build(),
                        List.of(NatsSettings.builder().server(server.url()).build(),
                                NatsSettings.builder().server(server.url()).tls(true).build(),
                                NatsSettings.builder().server(server.url())
                                        .truststore(certs.strangerKeystore, TestCertificates.PASSWORD).build())));
            }
            try (NatsServer server = NatsServer.start("-c", mutual.toString())) {
                refusals.addAll(acceptsRightAndRefusesWrong(
                        trusting.get().server(server.url())
                                .keystore(certs.clientKeystore, TestCertificates.PASSWORD).build(),
                        List.of(trusting.get().server(server.url()).build(),
                                trusting.get().server(server.url())
                                        .keystore(certs.strangerKeystore, TestCertificates.PASSWORD).build())));
            }
            List<String> leaking = new ArrayList<>(logs.containing(TestCertificates.PASSWORD));
            refusals.stream().filter(r -> r.contains(TestCertificates.PASSWORD)).forEach(leaking::add);
            Measured.scenario("nats-tls").put("one-way-refused-wrong", 3).put("mutual-refused-wrong", 2)
                    .put("store-password-in-logs-or-messages", leaking.size())
                    .put("refusals", refusals).print();
            assertEquals(List.of(), leaking);
        }
    }

    @Test
    void aCredentialsFileLetsItsUserInOnlyAndNoSeedOrJwtIsPrinted() throws Exception {
        TestNatsOperator operator = TestNatsOperator.create(certs.dir.resolve("operator"));
        Path missing = certs.dir.resolve("operator").resolve("missing.creds");
        Path notCreds = Files.writeString(certs.dir.resolve("operator").resolve("not-creds.txt"), "user: orders\n");
        try (CapturedLogs logs = CapturedLogs.attach();
             NatsServer server = NatsServer.start("-c", operator.serverConfig.toString())) {
            // The right file, through the config key a service uses.
            Config config = Config.just(ConfigSources.create(Map.of(
                    "nats.servers", server.url(), "nats.credentials-file", operator.credsFile.toString())));
            List<String> received = new CopyOnWriteArrayList<>();
            String reply;
            try (Messaging orders = Messaging.create("order-service", config);
                 Messaging inventory = Messaging.create("inventory-service", config)) {
                orders.subscribe("orders.order-created.v1", String.class, e -> received.add(e.payload()));
                orders.publish("orders.order-created.v1", "order-1");
                inventory.respond("inventory.reserve.v1", String.class, sku -> "reserved " + sku.payload());
                reply = orders.request("inventory.reserve.v1", "sku-1", String.class, Duration.ofSeconds(5));
                eventually(Duration.ofSeconds(10), () -> assertEquals(List.of("order-1"), received));
            }
            assertEquals("reserved sku-1", reply);

            List<String> failures = acceptsRightAndRefusesWrong(
                    NatsSettings.builder().server(server.url()).credentialsFile(operator.credsFile).build(),
                    List.of(NatsSettings.builder().server(server.url())
                                    .credentialsFile(operator.strangerCredsFile).build(),
                            NatsSettings.builder().server(server.url())
                                    .credentialsFile(operator.mismatchedCredsFile).build()));
            // Files that cannot work fail before connecting, naming the path (jnats alone says "Unable to connect").
            for (Path file : List.of(missing, notCreds)) {
                MessagingException e = assertThrows(MessagingException.class, () -> connect(
                        NatsSettings.builder().server(server.url()).credentialsFile(file).build()).close());
                assertTrue(e.getMessage().startsWith("messaging.nats.credentials-file " + file + " "),
                           e.getMessage());
                failures.add(e.getMessage() + (e.getCause() == null ? "" : " | " + e.getCause()));
            }
            String printed = NatsSettings.builder().server(server.url()).credentialsFile(operator.credsFile).build()
                    .toString();

            List<String> leaking = new ArrayList<>(logs.containing(operator.secrets));
            for (String text : concat(failures, List.of(printed))) {
                for (String secret : operator.secrets) {
                    if (text.contains(secret)) {
                        leaking.add(text);
                    }
                }
            }
            Measured.scenario("nats-credentials-file").put("round-trip", received + " / " + reply)
                    .put("refused-wrong", failures.size()).put("log-lines", logs.lines().size())
                    .put("seeds-or-jwts-in-logs-messages-or-toString", leaking.size())
                    .put("refusals", failures).print();
            assertEquals(List.of(), leaking);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
