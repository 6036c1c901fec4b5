package dev.flotilla.benchmarks.startup;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a server process several times and measures exec to ready: from starting the process until a GET of the
 * ready path answers 200 (polled every 5 ms), and the process's CPU time (all its threads) at that moment, which
 * other work on the machine moves much less than the wall-clock time. Each run gets a free port, substituted for
 * {@code {port}} in the command; the process is stopped (SIGTERM) after each run. With {@code --classes} one more
 * run logs every class the JVM loads ({@code -Xlog:class+load} with its uptime, which slows that run by about half),
 * and they are printed per library: how many, and when the first and the last were loaded, which places each library
 * on the start's time line.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.startup.StartupBreakdown --runs 7 --classes \
 *     --path /health/ready -- \
 *     java -jar sample-system/user-service/target/user-service-0.1.0-SNAPSHOT.jar --messaging.transport=in-jvm \
 *     --server.host=127.0.0.1 --server.port={port}
 * </pre>
 *
 * <p>Run it where nothing else keeps the cores busy: the figure is wall-clock time, and on 2 cores every other
 * process moves it. Compare the median with a bare server measured the same way in the same minutes.
 */
public final class StartupBreakdown {
    private static final Pattern LOADED = Pattern.compile("^\\[(\\d+\\.\\d+)s] (\\S+) source: (.*)$");
    private static final Pattern VERSION = Pattern.compile("-\\d[\\w.\\-]*\\.jar$");

    private StartupBreakdown() {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code [--runs N] [--path /health/ready] [--classes] -- command...}, the command with {@code {port}}
     * @throws Exception if a process cannot be started or never answers within 60 s
     */
    public static void main(String[] args) throws Exception {
        int runs = 5;
        String path = "/health/ready";
        boolean classes = false;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--path" -> path = args[++i];
                case "--classes" -> classes = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; expected [--runs N] [--path P] [--classes] -- command...");
            }
        }
        List<String> command = List.of(args).subList(Math.min(i + 1, args.length), args.length);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command: give it after --");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        double[] millis = new double[runs];
        double[] cpuMillis = new double[runs];
        double[] cpu = new double[1];
        for (int run = 0; run < runs; run++) {
            millis[run] = execToReady(http, command, path, null, cpu);
            cpuMillis[run] = cpu[0];
            System.out.printf(Locale.ROOT, "run %d: %.0f ms, CPU %.0f ms%n", run + 1, millis[run], cpuMillis[run]);
        }
        Arrays.sort(millis);
        Arrays.sort(cpuMillis);
        System.out.printf(Locale.ROOT, "exec -> ready: median %.0f ms, lowest %.0f, highest %.0f; the process's "
                                  + "CPU time when ready: median %.0f ms (%d runs)%n",
                          millis[runs / 2], millis[0], millis[runs - 1], cpuMillis[runs / 2], runs);
        if (classes) {
            Path log = Files.createTempFile("class-load", ".log");
            try {
                double took = execToReady(http, command, path, log, new double[1]);
                System.out.printf(Locale.ROOT, "%nWith -Xlog:class+load: %.0f ms. Classes per library (first and last "
                                          + "loaded, JVM uptime):%n", took);
                printLibraries(log);
            } finally {
                Files.deleteIfExists(log);
            }
        }
    }

    private static double execToReady(HttpClient http, List<String> command, String path, Path classLog, double[] cpu)
            throws IOException, InterruptedException {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        for (String part : command) {
            cmd.add(part.replace("{port}", String.valueOf(port)));
        }
        if (classLog != null) {
            cmd.add(1, "-Xlog:class+load:file=" + classLog + ":uptime");
        }
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build();
        long began = System.nanoTime();
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = began + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                try {
                    if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        double wall = (System.nanoTime() - began) / 1e6;
                        cpu[0] = process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
                        return wall;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the process exited with " + process.exitValue() + ": " + cmd);
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("not ready within 60 s: " + cmd);
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static void printLibraries(Path log) throws IOException {
        record Library(String name, int[] count, double[] span) {
        }
        Map<String, Library> libraries = new LinkedHashMap<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = LOADED.matcher(line);
            if (!m.matches()) {
                continue;
            }
            double at = Double.parseDouble(m.group(1));
            Library library = libraries.computeIfAbsent(library(m.group(2), m.group(3)),
                    name -> new Library(name, new int[1], new double[] {at, at}));
            library.count()[0]++;
            library.span()[1] = at;
        }
        System.out.printf(Locale.ROOT, "%-48s %7s %9s %9s%n", "library", "classes", "first s", "last s");
        libraries.values().stream()
                .sorted(Comparator.comparingInt((Library l) -> l.count()[0]).reversed())
                .forEach(l -> System.out.printf(Locale.ROOT, "%-48s %7d %9.3f %9.3f%n", l.name(), l.count()[0],
                                                l.span()[0], l.span()[1]));
    }

    /** The jar's name without its version, "JDK" for the JDK's own classes, "generated" for lambdas and proxies. */
    private static String library(String className, String source) {
        if (source.startsWith("jrt:") || source.startsWith("shared objects file")) {
            return "JDK";
        }
        if (source.endsWith(".jar")) {
            String jar = source.substring(source.lastIndexOf('/') + 1);
            return VERSION.matcher(jar).replaceFirst("");
        }
        if (source.startsWith("file:")) {
            return source.substring(source.lastIndexOf('/', source.length() - 2) + 1);
        }
        return "generated (lambdas, proxies, method handles)";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
