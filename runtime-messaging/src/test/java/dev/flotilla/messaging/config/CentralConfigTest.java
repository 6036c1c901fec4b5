package dev.flotilla.messaging.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.ServiceStartException;
import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Central configuration against a real nats-server: one server for the class, one bucket per test. */
class CentralConfigTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static NatsServer server;

    /** A service that counts the attempts of calls through its "flaky" policy set. */
    static final class ConfigService extends Service {
        final AtomicReference<String> seenByListener = new AtomicReference<>();

        ConfigService(String name) {
            super(name, "1.0.0");
        }

        @Override
        protected void start(ServiceContext context) {
            context.onConfigChange("orders.max-items", config -> {
                int max = config.get("orders.max-items").asInt().get(); // throws on a non-number: refused
                if (max < 1) {
                    throw new IllegalArgumentException("orders.max-items must be at least 1");
                }
                seenByListener.set(Integer.toString(max));
            });
        }

        /** Calls through the policy set and returns how many attempts it made. */
        int attemptsOfAFailingCall(ServiceContext context) {
            AtomicInteger attempts = new AtomicInteger();
            try {
                context.resilience().policies("flaky").run(() -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("down");
                });
            } catch (IllegalStateException expected) {
                // every attempt failed
            }
            return attempts.get();
        }
    }

    @BeforeAll
    static void startServer() {
        server = NatsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static String newBucket(boolean create) {
        String bucket = "cfg-" + BUCKETS.incrementAndGet();
        if (create) {
            try (CentralConfig central = central(bucket)) {
                central.createBucket(CentralConfig.DEFAULT_HISTORY);
            }
        }
        return bucket;
    }

    private static CentralConfig central(String bucket) {
        return CentralConfig.connect(NatsSettings.builder().server(server.url()).build(), bucket);
    }

    private static Map<String, String> config(String bucket, String... extra) {
        Map<String, String> config = new HashMap<>(Map.of(
                "server.port", "0",
                "shutdown.grace-period", "PT0S",
                "config.central.bucket", bucket,
                "config.central.retry-interval", "PT0.1S",
                "config.central.start-timeout", "PT10S",
                "messaging.nats.servers", server.url(),
                "messaging.nats.reconnect.initial-wait", "PT0.02S",
                "messaging.nats.reconnect.max-wait", "PT0.1S"));
        for (int i = 0; i < extra.length; i += 2) {
            config.put(extra[i], extra[i + 1]);
        }
        return config;
    }

    private static String value(ServiceHandle handle, String key) {
        return handle.context().config().get(key).asString().orElse("<missing>");
    }

    private static String get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                                               HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void everySourceRanksInTheDocumentedOrder() throws Exception {
        String bucket = newBucket(true);
        try (CentralConfig central = central(bucket)) {
            for (String key : new String[] {"shared", "own", "sysprop", "override"}) {
                central.put("shared.precedence." + key, "central-shared");
            }
            for (String key : new String[] {"own", "sysprop", "override"}) {
                central.put("cfg-a.precedence." + key, "central-own");
            }
        }
        System.setProperty("precedence.sysprop", "sysprop");
        System.setProperty("precedence.override", "sysprop");
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new ConfigService("cfg-a"), config(bucket, "precedence.override", "override"))
                .build()) {
            runtime.start();
            ServiceHandle a = runtime.service("cfg-a");
            assertEquals("application-yaml", value(a, "precedence.app"));
            assertEquals("service-yaml", value(a, "precedence.yaml"));
            assertEquals("central-shared", value(a, "precedence.shared"));
            assertEquals("central-own", value(a, "precedence.own"));
            assertEquals("sysprop", value(a, "precedence.sysprop"));
            assertEquals("override", value(a, "precedence.override"));
        } finally {
            System.clearProperty("precedence.sysprop");
            System.clearProperty("precedence.override");
        }
    }

    @Test
    void retrySettingsChangeLiveAndAnInvalidValueIsRefused() throws Exception {
        String bucket = newBucket(true);
        try (CentralConfig central = central(bucket)) {
            central.put("cfg-b.resilience.flaky.retry.max-attempts", "1");
            central.put("cfg-b.resilience.flaky.retry.delay", "PT0.001S");
            central.put("cfg-b.resilience.flaky.retry-budget.enabled", "false");
            central.put("cfg-b.resilience.flaky.circuit-breaker.enabled", "false"); // every call fails
        }
        try (CentralConfig central = central(bucket);
             ServiceRuntime runtime = ServiceRuntime.builder()
                     .addService(new ConfigService("cfg-b"), config(bucket))
                     .build()) {
            runtime.start();
            ServiceHandle b = runtime.service("cfg-b");
            assertEquals(1, countAttempts(b, "flaky"));
            var flaky = b.context().resilience().policies("flaky");

            central.put("cfg-b.resilience.flaky.retry.max-attempts", "4");
            Await.until(WAIT, () -> countAttempts(b, "flaky") == 4, "the running service retries 4 times now");
            assertTrue(flaky == b.context().resilience().policies("flaky"), "callers keep their policy set");

            central.put("cfg-b.resilience.flaky.retry.max-attempts", "lots");
            Await.until(WAIT, () -> get(b, "/health").contains("refused.resilience.flaky.retry.max-attempts"),
                  "the refusal shows in health details");
            assertEquals(4, countAttempts(b, "flaky"), "the old value stays in force");
            assertEquals("4", value(b, "resilience.flaky.retry.max-attempts"));
            Await.until(WAIT, () -> get(b, "/metrics").contains("outcome=\"refused\""), "the refusal is counted");

            central.put("cfg-b.resilience.flaky.retry.max-attempts", "2");
            Await.until(WAIT, () -> countAttempts(b, "flaky") == 2, "a valid value after a refused one applies");
            Await.until(WAIT, () -> !get(b, "/health").contains("refused."), "the refusal is cleared");
        }
    }

    private static int countAttempts(ServiceHandle handle, String set) {
        AtomicInteger attempts = new AtomicInteger();
        try {
            handle.context().resilience().policies(set).run(() -> {
                attempts.incrementAndGet();
                throw new IllegalStateException("down");
            });
        } catch (RuntimeException expected) {
            // every attempt failed
        }
        return attempts.get();
    }

    private static String get(ServiceHandle handle, String path) {
        try {
            return get(handle.uri().resolve(path));
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void anInstanceStartsReadyOnTheLastGoodValueWhenTheBucketHoldsARefusedValueAndReportsTheKey() throws Exception {
        String bucket = newBucket(true);
        try (CentralConfig central = central(bucket)) {
            // Written by another NATS client, unchecked: the command would refuse these.
            central.put("shared.features.express", "maybe");
            central.put("cfg-g.resilience.flaky.retry.max-attempts", "4");
            central.put("cfg-g.resilience.flaky.retry.max-attempts", "lots");
            central.put("cfg-g.log.level.dev.flotilla.test.refused", "LOUD");
            central.put("cfg-g.resilience.flaky.retry.delay", "PT0.001S");
            central.put("cfg-g.resilience.flaky.circuit-breaker.enabled", "false");
            central.put("cfg-g.resilience.flaky.retry-budget.enabled", "false");
            central.put("cfg-g.greeting", "from-central");
        }
        try (CentralConfig central = central(bucket);
             ServiceRuntime runtime = ServiceRuntime.builder()
                     .addService(new ConfigService("cfg-g"), config(bucket))
                     .build()) {
            runtime.start();
            ServiceHandle g = runtime.service("cfg-g");
            HttpResponse<String> ready = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(g.uri().resolve("/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("refused.features.express"), ready.body());
            String health = get(g.uri().resolve("/health"));
            assertTrue(health.contains("refused.resilience.flaky.retry.max-attempts"), health);
            assertTrue(health.contains("refused.log.level.dev.flotilla.test.refused"), health);
            assertTrue(health.contains("must be true or false"), "the reason shows: " + health);

            assertTrue(!g.context().feature("express"), "no earlier value: the default is in force");
            assertEquals(4, countAttempts(g, "flaky"), "the last good value is in force, as running instances kept");
            assertEquals("from-central", value(g, "greeting"), "the other central values apply");
            assertEquals("PT0.001S", value(g, "resilience.flaky.retry.delay"));

            central.put("cfg-g.resilience.flaky.retry.max-attempts", "2");
            Await.until(WAIT, () -> countAttempts(g, "flaky") == 2, "a valid value then applies");
            Await.until(WAIT, () -> !get(g, "/health").contains("refused.resilience"), "its refusal is cleared");
            assertTrue(get(g, "/health").contains("refused.features.express"), "the other refusal stays");
        }
    }

    @Test
    void anInvalidValueOfTheServicesOwnConfigurationStillFailsTheStart() {
        String bucket = newBucket(true);
        try (CentralConfig central = central(bucket)) {
            central.put("shared.features.express", "true");
        }
        ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new ConfigService("cfg-h"), config(bucket, "features.express", "maybe"))
                .build();
        ServiceStartException failure = assertThrows(ServiceStartException.class, runtime::start);
        assertTrue(failure.getMessage().contains("features.express"), failure.getMessage());
    }

    @Test
    void listenersFeatureFlagsAndRestartOnlyKeys() throws Exception {
        String bucket = newBucket(true);
        try (CentralConfig central = central(bucket);
             ServiceRuntime runtime = ServiceRuntime.builder()
                     .addService(new ConfigService("cfg-c"), config(bucket))
                     .build()) {
            runtime.start();
            ServiceHandle c = runtime.service("cfg-c");
            ConfigService service = (ConfigService) c.service();
            assertTrue(!c.context().feature("express"));

            central.put("shared.features.express", "true");
            Await.until(WAIT, () -> c.context().feature("express"), "the feature flag turns on");
            central.put("shared.features.express", "maybe");
            Await.until(WAIT, () -> get(c, "/health").contains("refused.features.express"),
                        "a non-boolean flag is refused");
            assertTrue(c.context().feature("express"));

            central.put("cfg-c.orders.max-items", "5");
            Await.until(WAIT, () -> "5".equals(service.seenByListener.get()), "the service's listener gets its key");
            central.put("cfg-c.orders.max-items", "0");
            Await.until(WAIT, () -> get(c, "/health").contains("orders.max-items must be at least 1"),
                  "the listener's refusal shows with its reason");
            assertEquals("5", value(c, "orders.max-items"));

            org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger("dev.flotilla.test.central");
            assertTrue(!logger.isTraceEnabled());
            central.put("cfg-c.log.level.dev.flotilla.test.central", "TRACE");
            Await.until(WAIT, logger::isTraceEnabled, "the log level applies at run time");
            central.put("cfg-c.log.level.dev.flotilla.test.central", "LOUD");
            Await.until(WAIT, () -> get(c, "/health").contains("not a log level"), "an unknown level is refused");
            central.delete("cfg-c.log.level.dev.flotilla.test.central");
            Await.until(WAIT, () -> !logger.isTraceEnabled(), "a removed level inherits again");

            central.put("cfg-c.server.host", "127.0.0.2");
            Await.until(WAIT, () -> get(c, "/health").contains("restart-required"), "a server change needs a restart");
            assertEquals("<missing>", value(c, "server.host"), "and is not applied");
        }
    }

    @Test
    void aMissingBucketFailsStartUnlessOptionalThenItIsPickedUp() throws Exception {
        String bucket = newBucket(false);
        ServiceRuntime required = ServiceRuntime.builder().addService(new ConfigService("cfg-d"), config(bucket))
                .build();
        ServiceStartException failure = assertThrows(ServiceStartException.class, required::start);
        assertTrue(failure.getMessage().contains("central configuration bucket '" + bucket + "'")
                           && failure.getMessage().contains("cannot be reached"), failure.getMessage());

        try (ServiceRuntime optional = ServiceRuntime.builder()
                .addService(new ConfigService("cfg-d"), config(bucket, "config.central.optional", "true"))
                .build()) {
            optional.start();
            ServiceHandle d = optional.service("cfg-d");
            assertTrue(get(d, "/health").contains("local only"), get(d, "/health"));
            try (CentralConfig central = central(bucket)) {
                central.createBucket(CentralConfig.DEFAULT_HISTORY);
                central.put("cfg-d.greeting", "from-central");
            }
            Await.until(WAIT, () -> value(d, "greeting").equals("from-central"),
                        "central values apply once the bucket exists");
            Await.until(WAIT, () -> get(d, "/health").contains("watching"), "health says the bucket is watched");
        }
    }

    @Test
    void valuesStayWhileNatsIsDownAndWatchingResumes() throws Exception {
        String bucket = newBucket(true);
        try (CentralConfig central = central(bucket)) {
            central.put("shared.greeting", "hello");
            central.put("cfg-f.greeting", "own");
        }
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new ConfigService("cfg-e"), config(bucket))
                .addService(new ConfigService("cfg-f"), config(bucket))
                .build()) {
            runtime.start();
            ServiceHandle e = runtime.service("cfg-e");
            ServiceHandle f = runtime.service("cfg-f");
            assertEquals("hello", value(e, "greeting"), "shared key");
            assertEquals("own", value(f, "greeting"), "the service's own key wins");

            server.stop();
            Await.until(WAIT, () -> get(e, "/health").contains("disconnected"), "the disconnect shows in health");
            assertEquals("hello", value(e, "greeting"), "values stay while NATS is away");
            server.restart();
            try (CentralConfig central = central(bucket)) {
                central.put("shared.greeting", "hello again");
            }
            Await.until(WAIT, () -> value(e, "greeting").equals("hello again"), "watching resumes after the restart");
            assertEquals("own", value(f, "greeting"));
        } finally {
            if (!server.isRunning()) {
                server.restart();
            }
        }
    }

    @Test
    void theCommandGetsPutsListsDiffsLoadsAndReverts(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String bucket = newBucket(false);
        assertEquals("created bucket " + bucket, run("--bucket", bucket, "create-bucket").trim());
        assertTrue(run("--bucket", bucket, "put", "shared.features.express", "false").contains("revision"));
        run("--bucket", bucket, "put", "shared.features.express", "true");
        assertEquals("true", run("--bucket", bucket, "get", "shared.features.express").trim());

        Path yaml = dir.resolve("central.yaml");
        Files.writeString(yaml, """
                shared:
                  features:
                    express: "true"
                gateway:
                  resilience:
                    user-service:
                      timeout:
                        duration: PT1S
                """);
        assertEquals("+ gateway.resilience.user-service.timeout.duration=PT1S",
                     run("--bucket", bucket, "diff", yaml.toString()).trim());
        assertTrue(run("--bucket", bucket, "load", yaml.toString()).contains("1 key(s) written"));
        assertEquals("", run("--bucket", bucket, "diff", yaml.toString()).trim());
        assertEquals("gateway.resilience.user-service.timeout.duration=PT1S\nshared.features.express=true",
                     run("--bucket", bucket, "list").trim());
        assertEquals("features.express=true\nresilience.user-service.timeout.duration=PT1S",
                     run("--bucket", bucket, "effective", "gateway").trim());

        String history = run("--bucket", bucket, "history", "shared.features.express");
        String[] lines = history.trim().split("\n");
        assertEquals(2, lines.length, history);
        assertTrue(lines[0].endsWith("PUT false"), history);
        String firstRevision = lines[0].split(" ")[0];
        assertTrue(run("--bucket", bucket, "revert", "shared.features.express", firstRevision).contains("reverted"));
        assertEquals("false", run("--bucket", bucket, "get", "shared.features.express").trim());
    }

    private static String run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--server";
        all[1] = server.url();
        System.arraycopy(args, 0, all, 2, args.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CentralConfigCommand.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                                              new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
