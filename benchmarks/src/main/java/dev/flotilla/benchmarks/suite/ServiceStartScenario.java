package dev.flotilla.benchmarks.suite;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 9: a sample service's start as its own process, from exec until its first {@code /health/ready} answers
 * 200, against a bare Helidon SE server of the same version ({@link BareServer}), each a fresh process every time,
 * with the same JDK and JVM options, plain and with an AOT cache trained once per run.
 *
 * <p>The service is the sample's user-service jar ({@code sample-system/user-service/target}, built by
 * {@code ./mvnw -q -DskipTests package}) with the in-JVM messaging transport and its embedded H2 database; the bare
 * server runs from a small jar of its own followed by the service's {@code lib/*.jar}, and so does the smallest
 * Flotilla service ({@link MinimalService}, plain only), which shows what the runtime adds on its own. All are polled
 * from this JVM every millisecond with a plain HTTP/1.1 {@code GET} on a fresh connection. The caches are trained as
 * documented in {@code docs/deployment.md}: {@code java -XX:AOTCacheOutput=... -jar user-service.jar
 * --flotilla.training-run=true}, and {@link BareServer} with {@code --training-run}. After a warm-up round that is not
 * reported, each round starts the five (bare plain, service plain, minimal service plain, bare trained, service
 * trained), in reverse order in even rounds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.suite.ServiceStartScenario [ROUNDS]
 *      [--service-jar PATH]
 * </pre>
 *
 * Prints a line per start on standard error, and {@code MEASURE} lines for {@link Suite} on standard output: rows
 * {@code 9.plain} (service / bare, both plain), {@code 9.trained} (service trained / bare plain) and
 * {@code 9.trained-both} (service trained / bare trained).
 */
public final class ServiceStartScenario {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final String SERVICE_DIR = "sample-system/user-service/target";

    private enum Side { BARE_PLAIN, SERVICE_PLAIN, MINIMAL_PLAIN, BARE_TRAINED, SERVICE_TRAINED }

    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final Path serviceJar;
    private final Path work;
    private final Path serviceCache;
    private final Path bareCache;
    private final Path bareJar;
    private String bareClassPath;

    private ServiceStartScenario(Path serviceJar, Path work) {
        this.serviceJar = serviceJar;
        this.work = work;
        this.serviceCache = work.resolve("user-service.aot");
        this.bareCache = work.resolve("bare-server.aot");
        this.bareJar = work.resolve("bare-server.jar");
    }

    /**
     * The bare server's class path: {@link BareServer} (and {@link MinimalService}) in a small jar, then the service's
     * own {@code lib/*.jar} (the same Helidon jars, the same version, and no more: the benchmark jar holds every
     * library of the benchmarks, and finding classes in one large jar costs a plain start more than in small ones).
     */
    private void packBareServer() throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(bareJar))) {
            for (Class<?> type : List.of(BareServer.class, MinimalService.class, MinimalService.HelloApi.class)) {
                String entry = type.getName().replace('.', '/') + ".class";
                try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IllegalStateException("cannot read " + entry);
                    }
                    out.putNextEntry(new JarEntry(entry));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        List<String> entries = new ArrayList<>(List.of(bareJar.toString()));
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(serviceJar.toAbsolutePath().getParent().resolve("lib"),
                                                                   "*.jar")) {
            jars.forEach(jar -> entries.add(jar.toString()));
        }
        entries.subList(1, entries.size()).sort(null);
        bareClassPath = String.join(File.pathSeparator, entries);
    }

    /**
     * Trains both caches, then runs the rounds.
     *
     * @param args the number of rounds (default 4), then optionally {@code --service-jar PATH}
     * @throws Exception if a side cannot be started, does not become ready within 120 s, or a training run fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 4;
        Path jar = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--service-jar")) {
                jar = Path.of(args[++i]);
            }
        }
        Path first = Path.of(System.getProperty("java.class.path").split(File.pathSeparator)[0]).toAbsolutePath();
        Path work = (Files.isRegularFile(first) ? first.getParent() : Path.of("benchmarks", "target"))
                .resolve("service-start");
        Files.createDirectories(work);
        ServiceStartScenario scenario = new ServiceStartScenario(jar != null ? jar : findServiceJar(), work);
        scenario.packBareServer();
        scenario.train();
        scenario.run(rounds);
        System.exit(0);
    }

    private void run(int rounds) throws IOException, InterruptedException {
        for (Side side : Side.values()) {
            double ms = start(side);
            System.err.printf(Locale.ROOT, "service start: warm-up %s %.0f ms%n", side, ms);
        }
        for (int round = 1; round <= rounds; round++) {
            List<Side> order = new ArrayList<>(List.of(Side.values()));
            if (round % 2 == 0) {
                order = order.reversed();
            }
            double[] ms = new double[Side.values().length];
            for (Side side : order) {
                ms[side.ordinal()] = start(side);
                System.err.printf(Locale.ROOT, "service start: round %d %s %.0f ms%n", round, side,
                                  ms[side.ordinal()]);
            }
            measure("9.plain", round, ms[Side.BARE_PLAIN.ordinal()], ms[Side.SERVICE_PLAIN.ordinal()]);
            measure("9.trained", round, ms[Side.BARE_PLAIN.ordinal()], ms[Side.SERVICE_TRAINED.ordinal()]);
            measure("9.trained-both", round, ms[Side.BARE_TRAINED.ordinal()], ms[Side.SERVICE_TRAINED.ordinal()]);
            measure("9.minimal", round, ms[Side.BARE_PLAIN.ordinal()], ms[Side.MINIMAL_PLAIN.ordinal()]);
        }
        System.out.println("NOTE\t9.plain\tthe sample's user-service jar (in-JVM messaging, embedded H2) from exec to "
                + "its first /health/ready 200, polled every millisecond from the benchmark JVM, vs a bare Helidon SE "
                + "WebServer with one route (no features discovered), a fresh process each time, same JDK and JVM "
                + "options; a warm-up round not reported");
        System.out.println("NOTE\t9.trained\teach with an AOT cache trained once per run by a training run "
                + "(-XX:AOTCacheOutput with --flotilla.training-run=true; the bare server asks its own route once), "
                + "used with -XX:AOTCache; the raw side is the plain bare server");
        System.out.println("NOTE\t9.trained-both\tfor reference: both sides trained");
        System.out.println("NOTE\t9.minimal\tthe smallest Flotilla service (MinimalService: one contract method, no "
                + "constraints, no database, in-JVM messaging, the sample's logging) run from the bare server's class "
                + "path, plain: what Flotilla's runtime adds to a start without what a service brings");
    }

    private static void measure(String row, int round, double raw, double flotilla) {
        System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\traw\t%.3f%n", row, round, raw);
        System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\tflotilla\t%.3f%n", row, round, flotilla);
    }

    /** The training runs: each side once under {@code -XX:AOTCacheOutput}, exiting 0 by itself. */
    private void train() throws IOException, InterruptedException {
        for (Path cache : List.of(serviceCache, bareCache)) {
            Files.deleteIfExists(cache);
            List<String> command = new ArrayList<>(List.of(java));
            command.addAll(Suite.JVM_ARGS);
            command.add("-XX:AOTCacheOutput=" + cache);
            boolean service = cache.equals(serviceCache);
            command.addAll(service ? serviceArgs(0) : bareArgs(0));
            command.add(service ? "--flotilla.training-run=true" : "--training-run");
            Path log = work.resolve(cache.getFileName() + ".training.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0 || !Files.exists(cache)) {
                process.destroyForcibly();
                throw new IllegalStateException("the training run " + command + " failed; see " + log);
            }
            System.err.println("service start: trained " + cache + " (" + Files.size(cache) / (1 << 20) + " MiB)");
        }
    }

    /** One fresh process from exec until its {@code /health/ready} answers 200, in milliseconds; then killed. */
    private double start(Side side) throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(Suite.JVM_ARGS);
        if (side == Side.SERVICE_TRAINED) {
            command.add("-XX:AOTCache=" + serviceCache);
        } else if (side == Side.BARE_TRAINED) {
            command.add("-XX:AOTCache=" + bareCache);
        }
        command.addAll(switch (side) {
            case SERVICE_PLAIN, SERVICE_TRAINED -> serviceArgs(port);
            case MINIMAL_PLAIN -> minimalArgs(port);
            case BARE_PLAIN, BARE_TRAINED -> bareArgs(port);
        });
        Path log = work.resolve(side.name().toLowerCase(Locale.ROOT) + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        long began = System.nanoTime();
        Process process = builder.start();
        try {
            while (BareServer.get(port, "/health/ready") != 200) {
                if (!process.isAlive() || System.nanoTime() - began > DEADLINE_NANOS) {
                    throw new IllegalStateException(side + " did not become ready (" + (process.isAlive() ? "alive"
                            : "exited " + process.exitValue()) + "); see " + log);
                }
                LockSupport.parkNanos(1_000_000);
            }
            return (System.nanoTime() - began) / 1e6;
        } finally {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private List<String> serviceArgs(int port) {
        return List.of("-jar", serviceJar.toString(), "--server.port=" + port, "--server.host=127.0.0.1",
                       "--messaging.transport=in-jvm");
    }

    private List<String> minimalArgs(int port) {
        return List.of("-cp", bareClassPath, MinimalService.class.getName(), "--server.port=" + port,
                       "--server.host=127.0.0.1", "--messaging.transport=in-jvm");
    }

    private List<String> bareArgs(int port) {
        return List.of("-cp", bareClassPath, BareServer.class.getName(), String.valueOf(port));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path findServiceJar() throws IOException {
        Path dir = Path.of(SERVICE_DIR);
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "user-service-*.jar")) {
                for (Path jar : jars) {
                    String name = jar.getFileName().toString();
                    if (!name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar")
                            && !name.endsWith("-tests.jar")) {
                        return jar;
                    }
                }
            }
        }
        throw new IllegalStateException("no user-service jar in " + dir.toAbsolutePath() + ": run this from the "
                + "repository root after ./mvnw -q -DskipTests package, or give --service-jar PATH");
    }
}
