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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.flotilla.testkit.nats.NatsServer;

/**
 * A nats-server cluster with JetStream, for the cluster scenarios, each node with its own store: either all on loopback
 * ({@link #start(int)}, each from a config file written here: {@code server_name}, {@code jetstream { store_dir }},
 * {@code cluster { name, listen, routes }}), or one node per host of a {@link TestNetwork} from a deployment's config
 * file ({@link #start(List, Path, Map)}: the file plus {@code --name}, {@code --routes} and {@code -sd} on the command
 * line, as deploy/compose.yaml and deploy/k8s/nats.yaml run it, on ports 4222 and 6222 of each host's address);
 * {@link #kill(int)} ends a node with SIGKILL, as a crash would.
 */
final class NatsCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** Where a node runs: its address, its ports, and the command prefix that puts it on its host. */
    private record Node(String name, String address, int clientPort, int routePort, TestNetwork.Host host) {
        List<String> command(List<String> command) {
            return host == null ? command : host.command(command);
        }
    }

    private final Path dir;
    private final List<Node> nodes;
    private final Process[] processes;
    private final Path config;
    private final Map<String, String> environment;

    private NatsCluster(Path dir, List<Node> nodes, Path config, Map<String, String> environment) {
        this.dir = dir;
        this.nodes = List.copyOf(nodes);
        this.processes = new Process[nodes.size()];
        this.config = config;
        this.environment = Map.copyOf(environment);
    }

    /** A cluster of {@code size} nodes on loopback, on free ports. */
    static NatsCluster start(int size) {
        try {
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                nodes.add(new Node("n" + i, "127.0.0.1", freePort(), freePort(), null));
            }
            return startNodes(nodes, null, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One node per host, named after the host, from a deployment's config file (which listens on ports 4222 and
     * 6222 of every interface), with these environment variables (the credentials the file refers to).
     */
    static NatsCluster start(List<TestNetwork.Host> hosts, Path config, Map<String, String> environment) {
        return startNodes(hosts.stream().map(h -> new Node(h.name(), h.address(), 4222, 6222, h)).toList(),
                          config, environment);
    }

    private static NatsCluster startNodes(List<Node> nodes, Path config, Map<String, String> environment) {
        NatsCluster cluster = null;
        try {
            cluster = new NatsCluster(Files.createTempDirectory("flotilla-nats-cluster-"), nodes, config,
                                      environment);
            cluster.launch();
            return cluster;
        } catch (IOException | RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    private void launch() throws IOException {
        Path binary = NatsServer.findBinary().orElseThrow(() -> new IllegalStateException("nats-server not found"));
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            List<String> command = config == null ? List.of(binary.toString(), "-c", writeConfig(node).toString())
                    : List.of(binary.toString(), "-c", config.toString(), "--name", node.name(),
                              "--routes", String.join(",", nodes.stream()
                                      .map(n -> "nats://" + n.address() + ":" + n.routePort()).toList()),
                              "-sd", dir.resolve("store-" + node.name()).toString());
            ProcessBuilder builder = new ProcessBuilder(node.command(command))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()));
            builder.environment().putAll(environment);
            processes[i] = builder.start();
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int i = 0; i < nodes.size(); i++) {
            while (!accepts(nodes.get(i))) {
                if (!processes[i].isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("cluster node " + nodes.get(i).name() + " did not start: "
                                                            + Files.readString(log(i)));
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        }
    }

    private Path writeConfig(Node node) throws IOException {
        List<String> routes = new ArrayList<>();
        for (Node other : nodes) {
            if (other != node) {
                routes.add("\"nats://" + other.address() + ":" + other.routePort() + "\"");
            }
        }
        Path conf = dir.resolve(node.name() + ".conf");
        Files.writeString(conf, "server_name: " + node.name() + "\n"
                + "listen: " + node.address() + ":" + node.clientPort() + "\n"
                + "jetstream { store_dir: \"" + dir.resolve("store-" + node.name()) + "\" }\n"
                + "cluster { name: flotilla-test, listen: " + node.address() + ":" + node.routePort()
                + ", routes: [" + String.join(", ", routes) + "] }\n");
        return conf;
    }

    private Path log(int node) {
        return dir.resolve(nodes.get(node).name() + ".log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(Node node) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.address(), node.clientPort()), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every node's client URL. */
    List<String> urls() {
        return nodes.stream().map(n -> "nats://" + n.address() + ":" + n.clientPort()).toList();
    }

    /** The node's index by its {@code server_name} (the name JetStream reports, for example a stream's leader). */
    int indexOf(String serverName) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(serverName)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node named " + serverName + " in " + nodes);
    }

    /** The node's {@code server_name}. */
    String name(int node) {
        return nodes.get(node).name();
    }

    /** Ends a node with SIGKILL and waits until it is gone. */
    void kill(int node) {
        processes[node].destroyForcibly();
        try {
            processes[node].waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Process node : processes) {
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
