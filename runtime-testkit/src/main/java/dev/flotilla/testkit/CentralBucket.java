package dev.flotilla.testkit;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.ServiceState;
import dev.flotilla.messaging.config.CentralConfig;

/**
 * A test system's central configuration: a bucket of its own, seeded before any service starts and put back to the
 * seed before each test. Not thread-safe; the system calls it under its own lock.
 */
final class CentralBucket implements AutoCloseable {
    /** A bucket key no service reads, written after a reset to learn when every service has seen it. */
    private static final String RESET_MARKER = "testkit.reset";
    /** The revision in the {@code config} health check's details. */
    private static final Pattern REVISION = Pattern.compile("\"revision\"\\s*:\\s*\"?(\\d+)");

    private final CentralConfig client;
    private final String name;
    private final Map<String, String> seed;

    private CentralBucket(CentralConfig client, String name, Map<String, String> seed) {
        this.client = client;
        this.name = name;
        this.seed = seed;
    }

    /**
     * Creates a bucket with a fresh name on the server and puts the seed values in it.
     *
     * @param natsUrl the system's NATS server; {@code null} on the in-JVM transport
     * @param nkeySeedOrNull the testkit's NKey seed under least-privilege NATS, else {@code null}
     * @param seed    bucket keys and values
     * @throws IllegalStateException if the system has no NATS server
     */
    static CentralBucket create(String natsUrl, String nkeySeedOrNull, Map<String, String> seed) {
        if (natsUrl == null) {
            throw new IllegalStateException("Central configuration needs NATS, but this test system uses the in-JVM "
                                                    + "transport: install nats-server or set "
                                                    + TestSystem.NATS_URL_ENV);
        }
        String name = "testkit-config-" + Long.toHexString(System.nanoTime());
        CentralConfig client = CentralConfig.connect(MessageCapture.settings(natsUrl, nkeySeedOrNull)
                                                             .reconnectInitialWait(Duration.ofMillis(50))
                                                             .reconnectMaxWait(Duration.ofMillis(500)).build(), name);
        try {
            client.createBucket(CentralConfig.DEFAULT_HISTORY);
            seed.forEach(client::put);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new CentralBucket(client, name, seed);
    }

    /** The bucket's client, for tests. */
    CentralConfig client() {
        return client;
    }

    /** The bucket's name, for the services' {@code config.central.bucket}. */
    String name() {
        return name;
    }

    /** Puts the seed values back if a test changed them, and waits until every ready service has seen that. */
    void reset(ServiceRuntime runtime) {
        Map<String, String> now = client.list("");
        if (now.equals(seed)) {
            return;
        }
        now.keySet().stream().filter(k -> !seed.containsKey(k)).forEach(client::delete);
        seed.forEach((key, value) -> {
            if (!value.equals(now.get(key))) {
                client.put(key, value);
            }
        });
        // A key no service reads: its revision is newer than every restored value.
        long marker = client.put(RESET_MARKER, Long.toString(System.nanoTime()));
        client.delete(RESET_MARKER);
        Eventually.eventually(Duration.ofSeconds(10), () -> {
            for (ServiceHandle handle : runtime.services()) {
                if (handle.state() == ServiceState.READY && revision(handle) < marker) {
                    throw new AssertionError("Service '" + handle.name() + "' has not seen the central "
                                                     + "configuration reset (revision " + marker + ")");
                }
            }
        });
    }

    /** The central configuration revision a service reports in its health; -1 when it cannot be read. */
    private static long revision(ServiceHandle handle) {
        try {
            String health = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(handle.uri().resolve("/health")).build(),
                          HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = REVISION.matcher(health);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
