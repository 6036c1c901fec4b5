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
        TestServerTls tls = TestServerTls.create(dir);
        try (NatsServer server = NatsServer.start(tls.natsServerArguments())) {
            Config config = Config.just(ConfigSources.create(Map.of(
                    "servers", server.url(),
                    "tls.truststore", tls.trustStore().toString(),
                    "tls.truststore-password", TestServerTls.TRUST_STORE_PASSWORD)));
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
}
