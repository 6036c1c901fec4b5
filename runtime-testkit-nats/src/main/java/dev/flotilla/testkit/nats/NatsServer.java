package dev.flotilla.testkit.nats;

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

/**
 * A local nats-server process with JetStream, for development and tests: started on an ephemeral port (read from its
 * ports file, since {@code -p 0} would mean the default 4222) with a temporary store directory, bound to loopback;
 * {@link #stop()} and {@link #restart()} keep the same port and store, so clients can test reconnects (like the NATS
 * client's own {@code NatsTestServer} and {@code ReconnectTests}). The binary comes from the {@code NATS_SERVER_BIN}
 * environment variable or the {@code PATH}.
 *
 * <p>Not for production: run nats-server (or a NATS cluster) as its own process there. Thread-safe for its lifecycle
 * calls.
 */
public final class NatsServer implements AutoCloseable {
    /** The environment variable naming the nats-server binary: {@value}. */
    public static final String BINARY_ENV = "NATS_SERVER_BIN";

    private static final Pattern PORT = Pattern.compile("(?:nats|tls)://[^\"]*:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final String RELOADED = "Reloaded server configuration";
    private static final String RELOAD_FAILED = "Failed to reload";

    private final Path binary;
    private final Path dir;
    private final List<String> extraArgs;
    /** The caller's configuration file; null when there is none. */
    private final Path config;
    private Process process;
    private int port = -1;

    private NatsServer(Path binary, Path dir, List<String> extraArgs, Path config) {
        this.binary = binary;
        this.dir = dir;
        this.extraArgs = extraArgs;
        this.config = config;
    }

    /**
     * The configuration the server reads: JetStream with this server's store (a reload of a file without it would
     * turn JetStream off), then the caller's file, copied afresh before each start and reload.
     */
    private Path writeConfig() throws IOException {
        Path file = dir.resolve("server.conf");
        String store = dir.resolve("store").toString().replace("\\", "\\\\").replace("\"", "\\\"");
        Files.writeString(file, "jetstream {\n  store_dir: \"" + store + "\"\n}\n" + Files.readString(config));
        return file;
    }

    /**
     * Starts a nats-server with JetStream on an ephemeral loopback port and waits until it accepts connections.
     *
     * @param extraArgs further nats-server arguments, such as {@code --user}, {@code --pass}
     * @return the running server; close it when done
     * @throws IllegalStateException if no nats-server binary is found (the message says how to install one), or it
     *                               does not start within 20 seconds (the message holds its log)
     */
    public static NatsServer start(String... extraArgs) {
        return start(-1, extraArgs);
    }

    /**
     * Starts a nats-server with JetStream on the given loopback port and waits until it accepts connections. For a
     * caller that must know the URL before the server is up (to configure clients while it starts); otherwise prefer
     * {@link #start(String...)}, which lets the server pick a free port.
     *
     * @param port      the port, 1 to 65535
     * @param extraArgs further nats-server arguments, such as {@code --user}, {@code --pass}
     * @return the running server; close it when done
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IllegalStateException    if no nats-server binary is found, or it does not start within 20 seconds
     *                                  (for example because the port is taken; the message holds its log)
     */
    public static NatsServer start(int port, String... extraArgs) {
        return start(port, null, extraArgs);
    }

    private static NatsServer start(int port, Path config, String... extraArgs) {
        if (port != -1 && (port < 1 || port > 65_535)) {
            throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
        }
        Optional<Path> binary = findBinary();
        if (binary.isEmpty()) {
            throw new IllegalStateException("nats-server not found: install it (apt-get install nats-server) or set "
                                                    + BINARY_ENV + " to its path");
        }
        try {
            NatsServer server = new NatsServer(binary.get(),
                    Files.createTempDirectory("flotilla-nats-"), List.of(extraArgs), config);
            server.port = port;
            try {
                server.launch();
            } catch (IOException | RuntimeException e) {
                server.close(); // stops a process that is still starting and deletes the temporary store
                throw e;
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Finds the nats-server binary: {@code NATS_SERVER_BIN}, then the {@code PATH}, then {@code /usr/sbin}.
     *
     * @return the binary; empty when there is none
     */
    public static Optional<Path> findBinary() {
        String env = System.getenv(BINARY_ENV);
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

    private synchronized void launch() throws IOException {
        Path portsDir = Files.createDirectories(dir.resolve("ports"));
        try (Stream<Path> old = Files.list(portsDir)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-a", "127.0.0.1",
                "-p", port < 0 ? "-1" : Integer.toString(port),
                "--ports_file_dir", portsDir.toString()));
        if (config != null) {
            cmd.addAll(List.of("-c", writeConfig().toString()));
        } else {
            cmd.addAll(List.of("-js", "-sd", dir.resolve("store").toString()));
        }
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // Ready when the server has written its ports file (so a fixed port that another process holds is not
        // mistaken for ours) and accepts a connection.
        int announced = -1;
        while (announced < 0 || !acceptsConnections()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nats-server exited with " + process.exitValue() + ": " + log());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("nats-server did not listen within " + START_TIMEOUT + ": " + log());
            }
            if (announced < 0) {
                announced = readPort(portsDir);
                if (announced > 0) {
                    port = announced;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while nats-server was starting");
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

    /**
     * The URL clients connect to, such as {@code nats://127.0.0.1:41234}.
     *
     * @return the URL
     */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /**
     * The port, the same across restarts.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * Whether the process is running.
     *
     * @return {@code true} while it runs
     */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server (graceful SIGTERM) and waits until it exited; does nothing when it is not running. */
    public synchronized void stop() {
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

    /**
     * Kills the server abruptly (SIGKILL, as a crash: no flush, no goodbye to clients) and waits until it is gone;
     * does nothing when it is not running. {@link #restart()} brings it back on the same port with the same JetStream
     * store, which the server recovers as after a power cut.
     */
    public synchronized void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts the server again on the same port with the same JetStream store, stopping it first if it runs.
     *
     * @throws IllegalStateException if it does not start again
     */
    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a nats-server as {@link #start(String...)} does, with a configuration file ({@code -c}); the port,
     * address, JetStream and store are still chosen here. Change the file and call {@link #reload()} to apply what
     * nats-server can change while it runs (authorization and permissions among them).
     *
     * @param config    the configuration file, such as one with an {@code authorization} block
     * @param extraArgs further nats-server arguments
     * @return the running server; close it when done
     * @throws IllegalArgumentException if the file does not exist
     * @throws IllegalStateException    if no nats-server binary is found, or it does not start within 20 seconds
     *                                  (for example because the file is not valid; the message holds its log)
     * @throws NullPointerException     if {@code config} is {@code null}
     */
    public static NatsServer startWithConfig(Path config, String... extraArgs) {
        if (!Files.isRegularFile(java.util.Objects.requireNonNull(config, "config"))) {
            throw new IllegalArgumentException("nats-server configuration " + config + " does not exist");
        }
        return start(-1, config.toAbsolutePath(), extraArgs);
    }

    /**
     * Makes the running server read its configuration file again ({@code nats-server --signal reload}) and waits
     * until it has: connected clients stay connected, under the new authorization and permissions (subscriptions
     * the new permissions do not allow are dropped by the server).
     *
     * @throws IllegalStateException if the server is not running, refused the new configuration (the message holds
     *                               its log), or did not reload within 10 seconds
     */
    public synchronized void reload() {
        if (!isRunning()) {
            throw new IllegalStateException("nats-server is not running");
        }
        long before = countInLog(RELOADED);
        long failedBefore = countInLog(RELOAD_FAILED);
        try {
            if (config != null) {
                writeConfig();
            }
            Process signal = new ProcessBuilder(binary.toString(), "--signal", "reload=" + process.pid())
                    .redirectErrorStream(true).start();
            if (!signal.waitFor(10, TimeUnit.SECONDS) || signal.exitValue() != 0) {
                throw new IllegalStateException("nats-server --signal reload failed: "
                        + new String(signal.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while nats-server reloaded", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (countInLog(RELOADED) <= before) {
            if (countInLog(RELOAD_FAILED) > failedBefore) {
                throw new IllegalStateException("nats-server refused the new configuration: " + log());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("nats-server did not reload within 10 seconds: " + log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private long countInLog(String line) {
        String log = log();
        long count = 0;
        for (int i = log.indexOf(line); i >= 0; i = log.indexOf(line, i + 1)) {
            count++;
        }
        return count;
    }

    /**
     * The server's log so far (it logs to a file of its own), to assert on what it reported, such as
     * {@code Permissions Violation}.
     *
     * @return the log text; a placeholder naming the problem when it cannot be read
     */
    public String serverLog() {
        return log();
    }

    /** Stops the server and deletes its store. */
    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
