package dev.flotilla.messaging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.TestServerTls;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.NKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The central configuration command against real nats-servers: connection settings read as the services read them
 * (environment variables, {@code --KEY=VALUE}), arguments checked before connecting, writes checked with the
 * services' checks, authors recorded, and reverts that never overwrite a change made meanwhile.
 */
class CentralConfigCommandTest {
    /** Nothing listens here: a command that tried to connect would fail with status 1. */
    private static final String NO_SERVER = "nats://127.0.0.1:1";
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static NatsServer server;

    @BeforeAll
    static void startServer() {
        server = NatsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** The outcome of one command. */
    private record Result(int status, String out, String err) {
    }

    private static Result run(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CentralConfigCommand.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                                              new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The environment of an operator whose services reach {@code url}. */
    private static Map<String, String> env(String url, String... more) {
        Map<String, String> env = new HashMap<>(Map.of("MESSAGING_NATS_SERVERS", url, "USER", "operator"));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private static String newBucket() {
        String bucket = "cmd-" + BUCKETS.incrementAndGet();
        Result created = run(env(server.url()), "--bucket", bucket, "create-bucket");
        assertEquals(0, created.status(), created.err());
        return bucket;
    }

    private static Result ok(Result result) {
        assertEquals(0, result.status(), result.err());
        return result;
    }

    @Test
    void helpNeedsNoServer() {
        Result help = run(env(NO_SERVER, "NATS_URL", NO_SERVER), "--help");
        assertEquals(0, help.status(), help.err());
        assertTrue(help.out().contains("usage: CentralConfigCommand"), help.out());
        assertTrue(help.out().contains("--author"), help.out());
        assertEquals("", help.err());
        assertEquals(0, run(Map.of(), "put", "-h").status(), "--help anywhere wins");
    }

    @Test
    void usageErrorsExitTwoWithoutConnecting(@TempDir Path dir) throws Exception {
        Path notYaml = dir.resolve("broken.yaml");
        Files.writeString(notYaml, "shared: [unclosed\n");
        String[][] wrong = {
                {},
                {"frobnicate"},
                {"put", "shared.features.x"},
                {"get"},
                {"get", "a", "b"},
                {"create-bucket", "lots"},
                {"create-bucket", "65"},
                {"revert", "shared.features.x", "first"},
                {"revert", "shared.features.x", "0"},
                {"load", dir.resolve("missing.yaml").toString()},
                {"load", notYaml.toString()},
                {"--bucket"},
                {"--expect-revision", "2", "put", "shared.features.x", "true"},
                {"--no-such-option", "list"},
        };
        for (String[] args : wrong) {
            Result result = run(env(NO_SERVER), args);
            assertEquals(2, result.status(), String.join(" ", args) + ": " + result.err());
            assertTrue(result.err().contains("usage:"), result.err());
            assertFalse(result.err().contains("Cannot connect"), "no connection was tried: " + result.err());
        }
        Result contradicting = run(env(NO_SERVER, "MESSAGING_NATS_TOKEN", "t0ken-value",
                                       "MESSAGING_NATS_USER", "ops"), "list");
        assertEquals(2, contradicting.status(), contradicting.err());
        assertTrue(contradicting.err().contains("only one of user/password, token"), contradicting.err());
        assertFalse(contradicting.err().contains("t0ken-value"), "secrets are never printed");

        Result down = run(env(NO_SERVER), "list");
        assertEquals(1, down.status(), "a valid command tries to connect: " + down.err());
        assertTrue(down.err().contains("Cannot connect"), down.err());
    }

    @Test
    void reachesAServerThatRequiresUserAndPasswordThroughTheServicesSettings() {
        try (NatsServer secured = NatsServer.start("--user", "ops", "--pass", "pa55word-x")) {
            Map<String, String> env = env(secured.url(), "MESSAGING_NATS_USER", "ops",
                                          "MESSAGING_NATS_PASSWORD", "pa55word-x");
            ok(run(env, "create-bucket"));
            ok(run(env, "put", "shared.greeting", "hello"));
            assertEquals("hello", ok(run(env, "get", "shared.greeting")).out().trim());

            Result anonymous = run(env(secured.url()), "get", "shared.greeting");
            assertEquals(1, anonymous.status(), "the server refuses a connection without credentials");
            Result wrong = run(env(secured.url(), "MESSAGING_NATS_USER", "ops",
                                   "MESSAGING_NATS_PASSWORD", "guessed-pw"), "get", "shared.greeting");
            assertEquals(1, wrong.status());
            assertFalse(wrong.err().contains("guessed-pw") || wrong.out().contains("guessed-pw"),
                        "secrets are never printed: " + wrong.err());
            // --server wins over the settings' servers, as documented; the credentials still come from them.
            ok(run(env(NO_SERVER, "MESSAGING_NATS_USER", "ops", "MESSAGING_NATS_PASSWORD", "pa55word-x"),
                   "--server", secured.url(), "get", "shared.greeting"));
        }
    }

    @Test
    void reachesAServerThatRequiresATokenGivenOnTheCommandLine() {
        try (NatsServer secured = NatsServer.start("--auth", "s3cret-token")) {
            ok(run(Map.of(), "--messaging.nats.servers=" + secured.url(), "--messaging.nats.token=s3cret-token",
                   "create-bucket"));
            Result refused = run(Map.of(), "--messaging.nats.servers=" + secured.url(), "create-bucket");
            assertEquals(1, refused.status(), refused.err());
            ok(run(Map.of(), "--server", secured.url(), "--config.central.nats.token=s3cret-token",
                   "--config.central.nats.servers=" + NO_SERVER, "list"));
        }
    }

    @Test
    void reachesAServerThatRequiresAnNKeyThroughTheEnvironment(@TempDir Path dir) throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        Path conf = dir.resolve("nkey.conf");
        Files.writeString(conf, "authorization { users = [ { nkey: \"" + new String(user.getPublicKey())
                + "\" } ] }\n");
        try (NatsServer secured = NatsServer.start("-c", conf.toString())) {
            String seed = new String(user.getSeed());
            Result created = ok(run(env(secured.url(), "MESSAGING_NATS_NKEY_dash_SEED", seed), "create-bucket"));
            assertFalse(created.out().contains(seed) || created.err().contains(seed));
            assertEquals(1, run(env(secured.url()), "create-bucket").status(), "no NKey, no connection");
        }
    }

    @Test
    void anInvalidValueIsRefusedWithTheReasonAndNotWritten(@TempDir Path dir) throws Exception {
        String bucket = newBucket();
        Map<String, String> env = env(server.url());
        Result flag = run(env, "--bucket", bucket, "put", "shared.features.express", "maybe");
        assertEquals(1, flag.status(), flag.err());
        assertTrue(flag.err().contains("refused shared.features.express: features.express must be true or false"),
                   flag.err());
        assertEquals(1, run(env, "--bucket", bucket, "get", "shared.features.express").status(), "not written");

        Result retries = run(env, "--bucket", bucket, "put", "orders.resilience.inventory.retry.max-attempts", "lots");
        assertEquals(1, retries.status());
        assertTrue(retries.err().contains("resilience.inventory.retry.max-attempts"), retries.err());
        Result level = run(env, "--bucket", bucket, "put", "orders.log.level.root", "LOUD");
        assertEquals(1, level.status());
        assertTrue(level.err().contains("not a log level"), level.err());
        Result noScope = run(env, "--bucket", bucket, "put", "greeting", "hello");
        assertEquals(1, noScope.status());
        assertTrue(noScope.err().contains("not a central configuration key"), noScope.err());
        assertEquals("", ok(run(env, "--bucket", bucket, "list")).out(), "nothing was written");

        ok(run(env, "--bucket", bucket, "put", "shared.features.express", "true"));
        ok(run(env, "--bucket", bucket, "put", "orders.resilience.inventory.retry.max-attempts", "3"));
        ok(run(env, "--bucket", bucket, "put", "orders.secret-api-key", "${env:ORDERS_API_KEY}"));

        Path yaml = dir.resolve("central.yaml");
        Files.writeString(yaml, """
                shared:
                  greeting: hello
                orders:
                  features:
                    express: "sometimes"
                """);
        Result load = run(env, "--bucket", bucket, "load", yaml.toString());
        assertEquals(1, load.status(), load.err());
        assertTrue(load.err().contains("refused orders.features.express"), load.err());
        assertTrue(load.err().contains("nothing was written"), load.err());
        assertEquals(1, run(env, "--bucket", bucket, "get", "shared.greeting").status(), "all or nothing");
    }

    @Test
    void eachChangeRecordsItsAuthorAndHistoryShowsIt() {
        String bucket = newBucket();
        ok(run(env(server.url()), "--bucket", bucket, "--author", "alice", "put", "shared.greeting", "hi"));
        ok(run(env(server.url(), "FLOTILLA_AUTHOR", "bob"), "--bucket", bucket, "put", "shared.greeting", "hello"));
        ok(run(env(server.url()), "--bucket", bucket, "delete", "shared.greeting"));
        try (CentralConfig central = CentralConfig.connect(NatsSettings.builder().server(server.url()).build(),
                                                           bucket)) {
            central.put("shared.greeting", "hey", "carol\nwith a newline");
        }
        String[] lines = ok(run(env(server.url()), "--bucket", bucket, "history", "shared.greeting"))
                .out().trim().split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertTrue(lines[0].matches("\\d+ \\S+ alice PUT hi"), lines[0]);
        assertTrue(lines[1].matches("\\d+ \\S+ bob PUT hello"), lines[1]);
        assertTrue(lines[2].matches("\\d+ \\S+ operator DELETE"), "USER when no author is given: " + lines[2]);
        assertTrue(lines[3].matches("\\d+ \\S+ carol with a newline PUT hey"), lines[3]);
    }

    @Test
    void revertRefusesWhenTheKeyChangedMeanwhile() {
        String bucket = newBucket();
        Map<String, String> env = env(server.url());
        long first = revision(ok(run(env, "--bucket", bucket, "put", "shared.features.express", "false")));
        long second = revision(ok(run(env, "--bucket", bucket, "put", "shared.features.express", "true")));
        // Someone else changes the key after the operator looked at the history (newest: second).
        long third = revision(ok(run(env, "--bucket", bucket, "--author", "someone-else", "put",
                                     "shared.features.express", "false")));

        Result stale = run(env, "--bucket", bucket, "--expect-revision", Long.toString(second), "revert",
                           "shared.features.express", Long.toString(second));
        assertEquals(1, stale.status(), stale.err());
        assertTrue(stale.err().contains("changed meanwhile: its newest revision is " + third), stale.err());
        assertEquals("false", ok(run(env, "--bucket", bucket, "get", "shared.features.express")).out().trim());

        try (CentralConfig central = CentralConfig.connect(NatsSettings.builder().server(server.url()).build(),
                                                           bucket)) {
            IllegalStateException conflict = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalStateException.class, () -> central.revert("shared.features.express", first, second,
                                                                      "x"));
            assertTrue(conflict.getMessage().contains("changed meanwhile"), conflict.getMessage());
        }

        Result reverted = ok(run(env, "--bucket", bucket, "--author", "alice", "--expect-revision",
                                 Long.toString(third), "revert", "shared.features.express", Long.toString(second)));
        assertTrue(reverted.out().contains("reverted to revision " + second), reverted.out());
        assertEquals("true", ok(run(env, "--bucket", bucket, "get", "shared.features.express")).out().trim());
        String history = ok(run(env, "--bucket", bucket, "history", "shared.features.express")).out();
        assertTrue(history.trim().split("\n")[3].contains(" alice PUT true"), history);
    }

    @Test
    void revertChecksTheValueItPutsBack() {
        String bucket = newBucket();
        try (CentralConfig central = CentralConfig.connect(NatsSettings.builder().server(server.url()).build(),
                                                           bucket)) {
            long bad = central.put("shared.features.express", "maybe", "another-client"); // not checked by put
            central.put("shared.features.express", "true", "alice");
            Result revert = run(env(server.url()), "--bucket", bucket, "revert", "shared.features.express",
                                Long.toString(bad));
            assertEquals(1, revert.status(), revert.err());
            assertTrue(revert.err().contains("must be true or false"), revert.err());
            assertEquals("true", central.get("shared.features.express").orElseThrow());
        }
    }

    @Test
    void connectsOverTlsWithTheServicesTrustStoreSetting(@TempDir Path dir) throws Exception {
        TestServerTls tls = TestServerTls.create(dir);
        try (NatsServer secured = NatsServer.start(tls.natsServerArguments())) {
            ok(run(env(secured.url(), "MESSAGING_NATS_TLS_TRUSTSTORE", tls.trustStore().toString(),
                       "MESSAGING_NATS_TLS_TRUSTSTORE_dash_PASSWORD", TestServerTls.TRUST_STORE_PASSWORD),
                   "create-bucket"));
            assertEquals(1, run(env(secured.url()), "create-bucket").status(), "plain connection refused");
        }
    }

    private static long revision(Result put) {
        String out = put.out().trim();
        return Long.parseLong(out.substring(out.lastIndexOf(' ') + 1));
    }
}
