package dev.flotilla.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One of the sample's services as its own {@code java} process (its main class from this test's class path, light JVM
 * flags as in the shop's separate-processes test), on a fixed loopback port so that a restart comes back where it
 * was. {@link #kill()} is SIGKILL: no drain, no graceful stop. Its output is appended to one log file across restarts.
 */
final class ServiceProcess {
    /** Logging to standard output, which goes to the process's log file. */
    private static final String LOGGING = java.util.Objects.requireNonNull(
            ServiceProcess.class.getResource("/saga-crash-logback.xml"), "saga-crash-logback.xml").getPath();
    private final String label;
    private final Class<?> main;
    private final int port;
    private final List<String> args;
    private final Map<String, String> environment;
    private final Path log;
    private Process process;
    private int starts;

    ServiceProcess(String label, Class<?> main, List<String> args, Map<String, String> environment, Path log) {
        this.label = label;
        this.main = main;
        this.port = freePort();
        this.args = List.copyOf(args);
        this.environment = Map.copyOf(environment);
        this.log = log;
    }

    String label() {
        return label;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Starts the process (again); returns at once, see {@link #awaitReady(Duration)}. */
    synchronized void start() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-Dlogback.configurationFile=" + LOGGING,
                main.getName(), "--server.port=" + port, "--server.host=127.0.0.1"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
            starts++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the service answers its readiness probe with 200. */
    void awaitReady(Duration timeout) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            eventually(timeout, () -> {
                if (!isAlive()) {
                    throw new AssertionError(label + " exited; see " + log);
                }
                assertEquals(200, http.send(HttpRequest.newBuilder(uri().resolve("/health/ready"))
                                                    .timeout(Duration.ofSeconds(2)).build(),
                                            HttpResponse.BodyHandlers.discarding()).statusCode(),
                             label + " ready");
            });
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    int starts() {
        return starts;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
