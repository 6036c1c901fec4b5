package dev.flotilla.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.flotilla.testkit.nats.NatsServer;

/**
 * A three-node nats-server cluster with JetStream on loopback, for the cluster scenarios: each node from a config
 * file ({@code server_name}, {@code jetstream { store_dir }}, {@code cluster { name, listen, routes }}) with its own
 * store; {@link #kill(int)} ends a node with SIGKILL, as a crash would.
 */
final class NatsCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final int[] clientPorts;
    private final Process[] nodes;

    private NatsCluster(Path dir, int size) {
        this.dir = dir;
        this.clientPorts = new int[size];
        this.nodes = new Process[size];
    }

    static NatsCluster start(int size) {
        try {
            NatsCluster cluster = new NatsCluster(Files.createTempDirectory("flotilla-nats-cluster-"), size);
            cluster.launch();
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() throws IOException {
        int size = nodes.length;
        int[] routePorts = new int[size];
        for (int i = 0; i < size; i++) {
            clientPorts[i] = freePort();
            routePorts[i] = freePort();
        }
        Path binary = NatsServer.findBinary().orElseThrow(() -> new IllegalStateException("nats-server not found"));
        for (int i = 0; i < size; i++) {
            List<String> routes = new ArrayList<>();
            for (int j = 0; j < size; j++) {
                if (j != i) {
                    routes.add("\"nats://127.0.0.1:" + routePorts[j] + "\"");
                }
            }
            Path conf = dir.resolve("n" + i + ".conf");
            Files.writeString(conf, "server_name: n" + i + "\n"
                    + "listen: 127.0.0.1:" + clientPorts[i] + "\n"
                    + "jetstream { store_dir: \"" + dir.resolve("store-n" + i) + "\" }\n"
                    + "cluster { name: flotilla-test, listen: 127.0.0.1:" + routePorts[i]
                    + ", routes: [" + String.join(", ", routes) + "] }\n");
            nodes[i] = new ProcessBuilder(binary.toString(), "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("n" + i + ".log").toFile()))
                    .start();
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int i = 0; i < size; i++) {
            while (!accepts(clientPorts[i])) {
                if (!nodes[i].isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("cluster node n" + i + " did not start: "
                                                            + Files.readString(dir.resolve("n" + i + ".log")));
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every node's client URL. */
    List<String> urls() {
        List<String> urls = new ArrayList<>();
        for (int port : clientPorts) {
            urls.add("nats://127.0.0.1:" + port);
        }
        return urls;
    }

    /** Ends a node with SIGKILL and waits until it is gone. */
    void kill(int node) {
        nodes[node].destroyForcibly();
        try {
            nodes[node].waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Process node : nodes) {
            if (node != null && node.isAlive()) {
                node.destroy();
                try {
                    if (!node.waitFor(10, TimeUnit.SECONDS)) {
                        node.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
