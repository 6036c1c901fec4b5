package dev.flotilla.benchmarks.testkit;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.TestSystem;
import io.helidon.webserver.WebServer;

/**
 * Scenario 6 in one fresh JVM: the first start (cold: classes loaded, code interpreted and compiled on the way, what
 * a test run pays for its first system) and later starts in the same JVM (warm: what each further test class pays).
 * The suite forks one JVM per side and round; run alone, it prints what the starts cost besides how long they take.
 *
 * <p>After the first start, {@code uncounted} starts are not counted and {@code counted} ones are; every start is
 * stopped outside the count. For the counted starts it prints the median, lowest and 75th-percentile time, the median
 * CPU time of the whole JVM per start (all its threads, the JIT compilers included, the nats-server process not), and
 * the JIT compilers' time per start. On a 2-core machine a start that keeps both cores busy takes about half its CPU
 * time, so the CPU figures explain the wall-clock ones, and they move much less with what else runs.
 *
 * <ul>
 *   <li>{@code bare}: five bare Helidon WebServers with one route, started one after another.</li>
 *   <li>{@code system}: a five-service {@link TestSystem} with its own nats-server.</li>
 *   <li>{@code in-jvm}: the same system on the in-JVM transport: the difference to {@code system} is what NATS adds
 *   (the nats-server process, six connections, five {@code $SRV} registrations, the message capture).</li>
 * </ul>
 *
 * <pre>
 * java -XX:+UseG1GC -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.testkit.StartCost system
 * </pre>
 *
 * <p>With {@code --measure ROUND} (how the suite runs it) it also writes {@code MEASURE} lines for the suite's rows
 * {@code 6.cold} and {@code 6.warm} (milliseconds).
 */
public final class StartCost {
    private static final int SERVICES = 5;

    private StartCost() {
    }

    /**
     * Runs the starts of one kind and prints their cost.
     *
     * @param args {@code bare}, {@code system} or {@code in-jvm}; then optionally the numbers of uncounted and counted
     *             warm starts (default 5 and 20) and {@code --measure ROUND}
     */
    public static void main(String[] args) {
        String kind = args.length == 0 ? "system" : args[0];
        if (!List.of("bare", "system", "in-jvm").contains(kind)) {
            throw new IllegalArgumentException("kind must be bare, system or in-jvm, was " + kind);
        }
        int uncounted = 5;
        int counted = 20;
        int round = -1;
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
        int measure = rest.indexOf("--measure");
        if (measure >= 0) {
            round = Integer.parseInt(rest.get(measure + 1));
            rest.subList(measure, measure + 2).clear();
        }
        if (rest.size() == 2) {
            uncounted = Integer.parseInt(rest.get(0));
            counted = Integer.parseInt(rest.get(1));
        } else if (!rest.isEmpty()) {
            throw new IllegalArgumentException("expected: kind [uncounted counted] [--measure ROUND], was "
                                                       + Arrays.toString(args));
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();

        long t0 = System.nanoTime();
        AutoCloseable first = start(kind);
        double coldMillis = (System.nanoTime() - t0) / 1e6;
        close(first);

        long[] wall = new long[counted];
        long[] cpu = new long[counted];
        long jitBefore = 0;
        for (int i = 0; i < uncounted + counted; i++) {
            if (i == uncounted) {
                jitBefore = jit.getTotalCompilationTime();
            }
            long cpu0 = os.getProcessCpuTime();
            long began = System.nanoTime();
            AutoCloseable started = start(kind);
            long took = System.nanoTime() - began;
            long cpuTook = os.getProcessCpuTime() - cpu0;
            close(started);
            if (i >= uncounted) {
                wall[i - uncounted] = took;
                cpu[i - uncounted] = cpuTook;
            }
        }
        long jitMillis = jit.getTotalCompilationTime() - jitBefore;
        Arrays.sort(wall);
        Arrays.sort(cpu);
        double warmMillis = wall[counted / 2] / 1e6;
        System.out.printf(Locale.ROOT, "%s: first start %.0f ms; %d counted starts after %d more: median %.1f ms "
                                  + "(lowest %.1f, p75 %.1f); CPU per start (median, whole JVM) %.0f ms; JIT compilers "
                                  + "%.1f ms per start%n",
                          kind, coldMillis, counted, uncounted, warmMillis, wall[0] / 1e6,
                          wall[counted * 3 / 4] / 1e6, cpu[counted / 2] / 1e6, (double) jitMillis / counted);
        if (round >= 0) {
            String side = kind.equals("bare") ? "raw" : "flotilla";
            System.out.printf(Locale.ROOT, "MEASURE\t6.cold\t%d\t%s\t%.3f%n", round, side, coldMillis);
            System.out.printf(Locale.ROOT, "MEASURE\t6.warm\t%d\t%s\t%.3f%n", round, side, warmMillis);
        }
        System.exit(0);
    }

    private static void close(AutoCloseable started) {
        try {
            started.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static AutoCloseable start(String kind) {
        if (kind.equals("bare")) {
            List<WebServer> servers = new ArrayList<>();
            for (int i = 0; i < SERVICES; i++) {
                servers.add(TestSystemStartupBenchmark.startBareServer());
            }
            return () -> servers.forEach(WebServer::stop);
        }
        TestSystem.Builder builder = TestSystem.builder();
        if (kind.equals("in-jvm")) {
            builder.nats(NatsMode.IN_JVM);
        }
        for (int i = 0; i < SERVICES; i++) {
            builder.addService(new TestSystemStartupBenchmark.SmallService(i));
        }
        TestSystem system = builder.build();
        system.start();
        return system;
    }
}
