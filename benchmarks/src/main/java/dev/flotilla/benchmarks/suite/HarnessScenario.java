package dev.flotilla.benchmarks.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.helidon.webclient.api.WebClient;

/**
 * A scenario measured by the harness in a JVM of its own: set up both sides once, then measure raw and Flotilla
 * alternately, round after round, writing one {@code MEASURE} line per figure to standard output for the suite.
 */
abstract class HarnessScenario implements AutoCloseable {

    /** Which side of the comparison is measured. */
    enum Side {
        RAW, FLOTILLA;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The measured window of one side in one round. */
    final Duration window;
    private int round;
    private boolean warmUp;

    HarnessScenario(Duration window) {
        this.window = window;
    }

    abstract void setUp() throws Exception;

    /**
     * How long one side runs before the other takes over, when a scenario interleaves them within a round
     * ({@link ClosedLoop#interleaved}).
     */
    static final Duration SLICE = Duration.ofMillis(250);

    /**
     * Measures both sides once, {@code first} first (one after the other, or interleaved), reporting each figure
     * through {@link #report}.
     */
    abstract void measureBoth(Side first, Side second) throws Exception;

    /** Called once after the last round: connection counts and other checks, as {@link #note}s. */
    void finish() throws Exception {
    }

    final void runRound(int round, boolean warmUp, Side first, Side second) throws Exception {
        this.round = round;
        this.warmUp = warmUp;
        measureBoth(first, second);
    }

    /** Writes one measured figure (ignored during warm-up). */
    final void report(String row, Side side, double value) {
        if (!warmUp) {
            System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\t%s\t%.6f%n", row, round, side.key(), value);
            System.out.flush();
        }
    }

    /** Writes a note for the report about a row. */
    static void note(String row, String text) {
        System.out.println("NOTE\t" + row + "\t" + text);
        System.out.flush();
    }

    /** The CPU time this JVM has used so far, in nanoseconds: a meter for {@link ClosedLoop#interleaved}. */
    static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static double millis(long nanos) {
        return nanos / 1e6;
    }

    /**
     * The load generator's client: HTTP/1.1 only, keep-alive, a connection pool of its own.
     */
    static WebClient driver(java.net.URI base) {
        return WebClient.builder()
                .baseUri(base)
                .shareConnectionCache(false)
                .addProtocolPreference(List.of("http/1.1"))
                // Helidon keeps at most 256 idle connections per host by default and closes the surplus; the
                // load generator must not churn connections at 1,000 callers.
                .connectionCacheSize(4096)
                .build();
    }

    /**
     * How many TCP connections to the server listening on {@code port} were opened recently: the distinct client
     * ports among the sockets of either end in {@code /proc/net/tcp*}, open or closing (a closed connection stays in
     * TIME_WAIT for about a minute on Linux). With keep-alive that stays near the number of concurrent callers;
     * without it, it grows with every request.
     *
     * @return the count, or -1 when {@code /proc} cannot be read (not Linux)
     */
    static int connections(int port) {
        java.util.Set<String> seen = connectionSet(port);
        return seen == null ? -1 : seen.size();
    }

    /**
     * The connections of {@link #connections(int)}, as their client ends.
     *
     * @return the set, or {@code null} when {@code /proc} cannot be read
     */
    static java.util.Set<String> connectionSet(int port) {
        java.util.Set<String> clientPorts = new java.util.HashSet<>();
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    // f[1] local address:port, f[2] remote address:port, f[3] state (0A is LISTEN), all hex
                    if (f.length <= 3 || "0A".equals(f[3]) || !f[1].contains(":")) {
                        continue;
                    }
                    int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                    int remote = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
                    if (local == port) {
                        clientPorts.add(f[2]);
                    } else if (remote == port) {
                        clientPorts.add(f[1]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return clientPorts;
    }
}
