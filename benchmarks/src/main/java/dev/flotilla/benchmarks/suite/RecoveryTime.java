package dev.flotilla.benchmarks.suite;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.testkit.nats.NatsServer;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRules;

/**
 * Scenario 10: how soon callers succeed again after a killed instance is restarted. A downstream Flotilla service
 * runs in a process of its own, registered on a real nats-server; a caller service in this JVM calls it through a
 * typed client (NATS discovery, default resilience settings: 5 s breaker open delay, 5 s discovery cache) in a loop,
 * and a raw Helidon WebClient calls the instance's fixed URL in another loop. Each round the process is killed
 * (SIGKILL), the typed client's calls fail until they fail fast, the process is started again on the same port (a
 * new {@code $SRV} id at the same URL), and the time from its readiness (the first 200 from {@code /health/ready},
 * asked every 2 ms) to each caller's first success is measured. The raw loop has no discovery and no breaker: its
 * figure, its first success from readiness on, is the floor (the loop's own granularity); the instance answers it
 * even before it is ready (it listens before it registers on NATS), which a note reports.
 *
 * <pre>
 * java -XX:+UseG1GC -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.suite.RecoveryTime 4
 * </pre>
 *
 * <p>Writes {@code MEASURE} lines for the suite's row {@code 10.recovery} (milliseconds).
 */
public final class RecoveryTime {
    static final String ROW = "10.recovery";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private RecoveryTime() {
    }

    /** The downstream's contract. */
    public interface EchoApi {
        /**
         * Echoes a word.
         *
         * @param word the word
         * @return the word
         */
        @Get("/echo/{word}")
        String echo(@PathParam("word") String word);
    }

    static final class EchoService extends Service {
        EchoService() {
            super("echo-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(EchoApi.class, word -> word));
        }
    }

    static final class CallerService extends Service {
        CallerService() {
            super("caller-service", "1.0.0");
        }
    }

    /**
     * Runs the rounds, or (with {@code downstream PORT NATS_URL}) the downstream service until killed.
     *
     * @param args the number of rounds (default 4), or {@code downstream PORT NATS_URL}
     * @throws Exception when a round cannot be run
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("downstream")) {
            ServiceRuntime runtime = ServiceRuntime.builder().addService(new EchoService(), Map.of(
                    "server.port", args[1], "server.host", "127.0.0.1", "messaging.nats.servers", args[2])).build();
            runtime.start();
            new CountDownLatch(1).await();
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int port = freePort();
        URI instance = URI.create("http://127.0.0.1:" + port);
        List<Double> flotillaFigures = new ArrayList<>();
        List<Double> servedBeforeReady = new ArrayList<>();
        try (NatsServer nats = NatsServer.start();
             ServiceRuntime caller = ServiceRuntime.builder().addService(new CallerService(), Map.of(
                     "server.port", "0", "server.host", "127.0.0.1", "shutdown.grace-period", "PT0S",
                     "messaging.nats.servers", nats.url())).build()) {
            WebClient raw = WebClient.builder().baseUri(instance).build();
            caller.start();
            EchoApi client = caller.service("caller-service").context().client(EchoApi.class, "echo-service");
            Process downstream = startDownstream(port, nats.url(), raw);
            Loop flotilla = new Loop(() -> "hi".equals(client.echo("hi")));
            Loop direct = new Loop(() -> {
                try (HttpClientResponse response = raw.get("/echo/hi").request()) {
                    return response.status().code() == 200;
                }
            });
            try {
                until(() -> flotilla.lastSuccess.get() != 0 && direct.lastSuccess.get() != 0, "both callers succeed");
                for (int round = 0; round <= rounds; round++) {
                    downstream.destroyForcibly();
                    downstream.waitFor(10, TimeUnit.SECONDS);
                    long killed = System.nanoTime();
                    // the typed client has seen the instance gone and fails fast (breaker open or no instance)
                    until(() -> flotilla.lastFailure.get() - killed > 0 && flotilla.failuresSince(killed) >= 20,
                          "the typed client fails fast");
                    downstream = startDownstream(port, nats.url(), raw);
                    long ready = System.nanoTime();
                    direct.from(ready);
                    until(() -> flotilla.lastSuccess.get() - killed > 0 && direct.lastSuccess.get() - killed > 0,
                          "both callers succeed again");
                    double flotillaMs = (flotilla.firstSuccessAfter(killed) - ready) / 1e6;
                    until(() -> direct.firstSuccessFrom.get() != 0, "the raw caller succeeds after ready");
                    double rawMs = (direct.firstSuccessFrom.get() - ready) / 1e6;
                    servedBeforeReady.add((ready - direct.firstSuccessAfter(killed)) / 1e6);
                    if (round > 0) { // round 0 warms up
                        System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\t%s\t%.6f%n", ROW, round, "raw", rawMs);
                        System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\t%s\t%.6f%n", ROW, round, "flotilla",
                                          flotillaMs);
                        System.out.flush();
                        flotillaFigures.add(flotillaMs);
                    }
                }
            } finally {
                flotilla.stop();
                direct.stop();
                downstream.destroyForcibly();
            }
        }
        System.err.println("recovery: Flotilla caller succeeded again " + flotillaFigures + " ms after the restarted "
                + "instance was ready");
        System.out.println("NOTE\t" + ROW + "\tone downstream process killed (SIGKILL) and restarted on the same port "
                + "per round; readiness seen by asking /health/ready every 2 ms; default resilience (open delay 5 s) "
                + "and NATS discovery (cache 5 s); raw: a WebClient loop on the fixed URL, no discovery or breaker "
                + "(its first success after the instance was ready: the loop's granularity; the restarted instance "
                + "answered it from " + Suite.fmt(Suite.median(servedBeforeReady)) + " ms before it was ready, the "
                + "median over the rounds, as it listens before it has registered on NATS and is ready)");
        System.exit(0); // non-daemon threads of the libraries must not keep the harness alive
    }

    /** Starts the downstream process and returns once its {@code /health/ready} answers 200. */
    private static Process startDownstream(int port, String natsUrl, WebClient raw) throws IOException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseG1GC", "-Xmx256m", "-cp", System.getProperty("java.class.path"), RecoveryTime.class.getName(),
                "downstream", String.valueOf(port), natsUrl)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try (HttpClientResponse response = raw.get("/health/ready").readTimeout(Duration.ofSeconds(1)).request()) {
                if (response.status().code() == 200) {
                    return process;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IllegalStateException("the downstream did not become ready (exit "
                        + (process.isAlive() ? "-" : process.exitValue()) + ")");
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }

    private static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A caller calling back to back on a virtual thread, pausing 1 ms after a failure, recording when it succeeds. */
    private static final class Loop {
        final AtomicLong lastSuccess = new AtomicLong();
        final AtomicLong lastFailure = new AtomicLong();
        /** The first success at or after {@link #from}; 0 until then. */
        final AtomicLong firstSuccessFrom = new AtomicLong();
        private volatile long from = Long.MAX_VALUE;
        private final AtomicBoolean done = new AtomicBoolean();
        /** The time of every failure, and of every success after a failure. */
        private final List<long[]> changes = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        Loop(BooleanSupplier call) {
            thread = Thread.ofVirtual().start(() -> {
                boolean succeeding = false;
                while (!done.get()) {
                    boolean ok;
                    try {
                        ok = call.getAsBoolean();
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    long now = System.nanoTime();
                    if (ok && !succeeding) {
                        changes.add(new long[] {now, 1});
                    }
                    succeeding = ok;
                    if (ok) {
                        lastSuccess.set(now);
                        long mark = from;
                        if (mark != Long.MAX_VALUE && now - mark >= 0) {
                            firstSuccessFrom.compareAndSet(0, now);
                        }
                    } else {
                        lastFailure.set(now);
                        changes.add(new long[] {now, 0});
                        LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
                    }
                }
            });
        }

        /** Records the first success from {@code time} on in {@link #firstSuccessFrom}. */
        void from(long time) {
            firstSuccessFrom.set(0);
            from = time;
        }

        /** The number of failures recorded after {@code since}. */
        int failuresSince(long since) {
            synchronized (changes) {
                return (int) changes.stream().filter(c -> c[1] == 0 && c[0] - since > 0).count();
            }
        }

        long firstSuccessAfter(long since) {
            synchronized (changes) {
                return changes.stream().filter(c -> c[1] == 1 && c[0] - since > 0).mapToLong(c -> c[0]).min()
                        .orElseThrow();
            }
        }

        void stop() throws InterruptedException {
            done.set(true);
            thread.join(Duration.ofSeconds(10));
        }
    }
}
