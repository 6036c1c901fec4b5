package dev.flotilla.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.nats.client.NKey;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials and TLS settings from code and config reach a nats-server that requires them. */
class NatsAuthenticationTest {

    private static Messaging connect(NatsSettings settings) {
        return Messaging.builder().serviceName("orders").nats(settings).build();
    }

    @Test
    void authenticatesWithTokenAndRefusesWithoutIt() {
        try (NatsServer server = NatsServer.start("--auth", "s3cret")) {
            Config config = Config.just(ConfigSources.create(Map.of(
                    "servers", server.url(), "token", "s3cret")));
            try (Messaging m = connect(NatsSettings.create(config))) {
                assertTrue(m.isConnected());
            }
            MessagingException e = assertThrows(MessagingException.class,
                    () -> connect(NatsSettings.builder().server(server.url()).build()));
            assertTrue(e.getMessage().startsWith("Cannot connect to NATS at [" + server.url() + "] as 'orders'"),
                    e.getMessage());
        }
    }

    @Test
    void authenticatesWithUserAndPassword() {
        try (NatsServer server = NatsServer.start("--user", "orders", "--pass", "pw")) {
            try (Messaging m = connect(NatsSettings.builder().server(server.url()).userInfo("orders", "pw").build())) {
                assertTrue(m.isConnected());
            }
        }
    }

    @Test
    void authenticatesWithNKeySeed(@TempDir Path dir) throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        Path conf = dir.resolve("nkey.conf");
        Files.writeString(conf, "authorization { users = [ { nkey: \"" + new String(user.getPublicKey())
                + "\" } ] }\n");
        try (NatsServer server = NatsServer.start("-c", conf.toString())) {
            NatsSettings settings = NatsSettings.builder().server(server.url())
                    .nkeySeed(new String(user.getSeed())).build();
            try (Messaging m = connect(settings)) {
                assertTrue(m.isConnected());
                assertEquals("nats", m.transport());
            }
        }
    }

    @Test
    void refusesTwoAuthenticationMethods() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NatsSettings.builder().token("t").userInfo("u", "p").build());
        assertEquals("NATS settings can have only one of user/password, token, nkey-seed and credentials-file",
                e.getMessage());
        String printed = NatsSettings.builder().token("s3cret").build().toString();
        assertTrue(printed.contains("auth=token"), printed);
        assertTrue(!printed.contains("s3cret"), "secrets are never printed: " + printed);
        assertEquals(Duration.ofSeconds(2), NatsSettings.builder().build().reconnectMaxWait());
    }

    @Test
    void connectsOverTlsWithTrustStoreFromConfig(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(run(dir, "openssl", "version"), "openssl is needed to make a test certificate");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Path trust = dir.resolve("trust.p12");
        assertTrue(run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
        assertTrue(run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert",
                "-noprompt", "-alias", "nats", "-file", cert.toString(), "-keystore", trust.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit"));
        try (NatsServer server = NatsServer.start("--tls", "--tlscert", cert.toString(),
                "--tlskey", key.toString())) {
            Config config = Config.just(ConfigSources.create(Map.of(
                    "servers", server.url(),
                    "tls.truststore", trust.toString(),
                    "tls.truststore-password", "changeit")));
            NatsSettings settings = NatsSettings.create(config);
            assertTrue(settings.tls());
            try (Messaging m = connect(settings)) {
                assertTrue(m.isConnected());
            }
            assertThrows(MessagingException.class,
                    () -> connect(NatsSettings.builder().server(server.url()).build()),
                    "plain connection refused by a TLS server");
        }
    }

    private static boolean run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("tool.log").toFile()).start();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
