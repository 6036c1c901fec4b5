package dev.flotilla.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts of their own on this machine: Linux network namespaces, each with one veth address in a private test range
 * ({@code 10.250.<n>.0/24}, {@code n} picked at random among the ranges no interface or route here uses), joined by a
 * bridge whose address is the test's own (the root namespace reaches every host through it). A process started on a
 * host sees only that host's interfaces, binds its ports there and is killed with it.
 *
 * <p>Needs Linux, root and iproute2 ({@link #unavailable()} says why not). Every namespace, link and the bridge carry
 * a random suffix; {@link #close()} kills what runs in the namespaces and removes them all, also when the JVM is
 * stopped (a shutdown hook). Only the addresses of these hosts are ever contacted.
 */
final class TestNetwork implements AutoCloseable {
    private static final String PREFIX = "10.250.";

    private final String suffix;
    private final String subnet;
    private final String bridge;
    private final List<Host> hosts = new ArrayList<>();
    private final Thread cleanupOnExit = Thread.ofPlatform().unstarted(this::removeAll);
    private boolean closed;

    /**
     * A host: a network namespace, and its address on the bridge ({@code null} for a host with loopback only).
     *
     * @param name      the name given by the test
     * @param namespace the namespace's name
     * @param address   the host's address, {@code null} when it has no link
     * @param link      the root namespace's end of its veth pair, {@code null} when it has no link
     */
    record Host(String name, String namespace, String address, String link) {
        /** The command run on this host: {@code ip netns exec <namespace> <command>}, which execs it (same pid). */
        List<String> command(List<String> command) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            full.addAll(command);
            return full;
        }

        /** Starts a process on this host, its output appended to {@code log}. */
        Process start(Path log, List<String> command) {
            return start(log, command, Map.of());
        }

        /** Starts a process on this host with these environment variables besides the test's own. */
        Process start(Path log, List<String> command, Map<String, String> environment) {
            try {
                ProcessBuilder builder = new ProcessBuilder(command(command)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                builder.environment().putAll(environment);
                return builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command + " on host " + name, e);
            }
        }
    }

    private TestNetwork(String suffix, String subnet) {
        this.suffix = suffix;
        this.subnet = subnet;
        this.bridge = "flb" + suffix;
    }

    /** Why hosts cannot be made here, or empty when they can (a namespace is made and removed to find out). */
    static Optional<String> unavailable() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("network namespaces need Linux, this is " + System.getProperty("os.name"));
        }
        String probe = "flotilla-probe-" + randomSuffix();
        try {
            Result added = exec(List.of("ip", "netns", "add", probe));
            if (added.exit() != 0) {
                return Optional.of("'ip netns add' failed (needs root and iproute2): " + added.output().strip());
            }
            exec(List.of("ip", "netns", "del", probe));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("iproute2's 'ip' cannot be run: " + e.getMessage());
        }
    }

    /** Makes the bridge, with the root namespace's address {@code 10.250.<n>.1/24}. */
    static TestNetwork create() {
        String taken = run("ip", "-o", "addr") + run("ip", "route") + run("ip", "-4", "route", "show", "table", "all");
        for (int attempt = 0; attempt < 50; attempt++) {
            String subnet = PREFIX + ThreadLocalRandom.current().nextInt(1, 255) + ".";
            if (!taken.contains(subnet)) {
                TestNetwork network = new TestNetwork(randomSuffix(), subnet);
                Runtime.getRuntime().addShutdownHook(network.cleanupOnExit);
                try {
                    run("ip", "link", "add", network.bridge, "type", "bridge");
                    run("ip", "addr", "add", network.rootAddress() + "/24", "dev", network.bridge);
                    run("ip", "link", "set", network.bridge, "up");
                    return network;
                } catch (RuntimeException e) {
                    network.close();
                    throw e;
                }
            }
        }
        throw new IllegalStateException("no free 10.250.<n>.0/24 range on this machine");
    }

    /** The test's own address on the bridge. */
    String rootAddress() {
        return subnet + "1";
    }

    /** A new host with a veth link to the bridge and the next address. */
    synchronized Host host(String name) {
        int index = hosts.size() + 1;
        String namespace = namespace(name);
        String link = "flv" + suffix + index;
        String address = subnet + (index + 1);
        Host host = new Host(name, namespace, address, link);
        hosts.add(host);
        run("ip", "netns", "add", namespace);
        run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        run("ip", "link", "set", link, "master", bridge, "up");
        run("ip", "netns", "exec", namespace, "ip", "addr", "add", address + "/24", "dev", "eth0");
        run("ip", "netns", "exec", namespace, "ip", "link", "set", "eth0", "up");
        run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
        return host;
    }

    /** A new host with loopback only: nothing else can reach it, and it has no address to give others. */
    synchronized Host isolatedHost(String name) {
        Host host = new Host(name, namespace(name), null, null);
        hosts.add(host);
        run("ip", "netns", "add", host.namespace());
        run("ip", "netns", "exec", host.namespace(), "ip", "link", "set", "lo", "up");
        return host;
    }

    /**
     * Takes a host off the network, as a crash or a pulled cable would: its link is deleted, so its address answers
     * nothing any more (no refusal, no reset: connections to it time out). Kill its processes first for a crash.
     */
    void unplug(Host host) {
        if (host.link() == null) {
            throw new IllegalArgumentException(host.name() + " has no link");
        }
        run("ip", "link", "del", host.link());
    }

    private String namespace(String name) {
        return "flotilla-" + suffix + "-" + name;
    }

    /** Kills every process on every host (SIGKILL), removes the hosts, their links and the bridge. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs, or ran, the same removal
        }
    }

    private synchronized void removeAll() {
        for (Host host : hosts) {
            // Processes keep a namespace alive after 'ip netns del': end them first. They are this test's own.
            String pids = exec(List.of("ip", "netns", "pids", host.namespace()), true).output();
            for (String pid : pids.strip().split("\\s+")) {
                if (!pid.isEmpty()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            exec(List.of("ip", "netns", "del", host.namespace()), true);
            if (host.link() != null) {
                exec(List.of("ip", "link", "del", host.link()), true);
            }
        }
        exec(List.of("ip", "link", "del", bridge), true);
    }

    private static String randomSuffix() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    private record Result(int exit, String output) {
    }

    /** Runs a command here and returns its output; throws when it fails. */
    private static String run(String... command) {
        Result result = exec(List.of(command), false);
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exit() + "): "
                                                    + result.output().strip());
        }
        return result.output();
    }

    private static Result exec(List<String> command, boolean quiet) {
        try {
            return exec(command);
        } catch (IOException e) {
            if (quiet) {
                return new Result(-1, "");
            }
            throw new UncheckedIOException(e);
        }
    }

    private static Result exec(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, output + " (timed out)");
            }
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return new Result(-1, "interrupted");
        }
    }
}
