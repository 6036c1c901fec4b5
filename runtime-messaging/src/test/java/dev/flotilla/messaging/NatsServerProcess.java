package dev.flotilla.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real nats-server with JetStream for one test: started on an ephemeral port (read from its ports file) with a
 * temporary store directory; {@link #stop()} and {@link #restart()} on the same port and store, like the NATS
 * client's own {@code NatsTestServer} and {@code ReconnectTests}. The binary comes from {@code NATS_SERVER_BIN} or
 * the {@code PATH}; without one, the test is skipped with a message (never run against the system server).
 */
final class NatsServerProcess implements AutoCloseable {

    private static final Pattern PORT = Pattern.compile("(?:nats|tls)://[^\"]*:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path binary;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;
    private int port = -1;

    private NatsServerProcess(Path binary, Path dir, List<String> extraArgs) {
        this.binary = binary;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    static NatsServerProcess start(String... extraArgs) {
        Optional<Path> binary = findBinary();
        Assumptions.assumeTrue(binary.isPresent(),
                "nats-server not found: put it on the PATH or set NATS_SERVER_BIN");
        try {
            NatsServerProcess server = new NatsServerProcess(binary.get(),
                    Files.createTempDirectory("flotilla-nats-"), List.of(extraArgs));
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<Path> findBinary() {
        String env = System.getenv("NATS_SERVER_BIN");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "nats-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.of(Path.of("/usr/sbin/nats-server")).filter(Files::isExecutable);
    }

    private void launch() throws IOException {
        Path portsDir = Files.createDirectories(dir.resolve("ports"));
        try (Stream<Path> old = Files.list(portsDir)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-a", "127.0.0.1",
                "-p", port < 0 ? "-1" : Integer.toString(port),
                "--ports_file_dir", portsDir.toString(),
                "-js", "-sd", dir.resolve("store").toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (port < 0 || !acceptsConnections()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nats-server exited with " + process.exitValue() + ": " + log());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("nats-server did not listen within " + START_TIMEOUT + ": " + log());
            }
            if (port < 0) {
                port = readPort(portsDir);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static int readPort(Path portsDir) throws IOException {
        try (Stream<Path> files = Files.list(portsDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".ports")).toList()) {
                Matcher m = PORT.matcher(Files.readString(f));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        }
        return -1;
    }

    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** Stops the server (graceful SIGTERM) and waits until it exited. */
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts the server again on the same port with the same JetStream store. */
    void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
