package dev.flotilla.benchmarks.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Starts a private nats-server with JetStream on an ephemeral port and a temporary store for a benchmark run.
 * The binary comes from {@code NATS_SERVER_BIN} or the {@code PATH}.
 */
final class NatsServerForBenchmarks implements AutoCloseable {

    private static final Pattern PORT = Pattern.compile("nats://[^\"]*:(\\d+)");

    private final Path dir;
    private final Process process;
    private final int port;

    NatsServerForBenchmarks() {
        try {
            dir = Files.createTempDirectory("flotilla-bench-nats-");
            Path ports = Files.createDirectories(dir.resolve("ports"));
            process = new ProcessBuilder(List.of(binary(), "-a", "127.0.0.1", "-p", "-1",
                    "--ports_file_dir", ports.toString(), "-js", "-sd", dir.resolve("store").toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile())
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int found = -1;
            while (found < 0 || !listening(found)) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("nats-server did not start: "
                            + Files.readString(dir.resolve("server.log")));
                }
                if (found < 0) {
                    try (Stream<Path> files = Files.list(ports)) {
                        for (Path f : files.toList()) {
                            Matcher m = PORT.matcher(Files.readString(f));
                            if (m.find()) {
                                found = Integer.parseInt(m.group(1));
                            }
                        }
                    }
                }
                Thread.sleep(10);
            }
            port = found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String binary() {
        String env = System.getenv("NATS_SERVER_BIN");
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, "nats-server"))) {
                return Path.of(entry, "nats-server").toString();
            }
        }
        throw new IllegalStateException("nats-server not found: put it on the PATH or set NATS_SERVER_BIN");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftover temp files are harmless
        }
    }
}
