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
 * Diagnostic companion of scenario 6: what one start costs, besides how long it takes. Runs the same starts as
 * {@link TestSystemStartupBenchmark} in the same regime (a fresh JVM, 5 starts not counted, then 20 counted, each
 * stopped outside the count) and prints, for the counted starts: the median, lowest and 75th-percentile time, the
 * median CPU time of the whole JVM per start (all its threads: the JIT compilers included, the nats-server process
 * not), and the JIT compilers' time per start. On a 2-core machine a start that keeps both cores busy takes about
 * half its CPU time, so the CPU figures explain the wall-clock ones, and they move much less with what else runs.
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
 */
public final class StartCost {
    private static final int SERVICES = 5;
    private static final int UNCOUNTED = 5;
    private static final int COUNTED = 20;

    private StartCost() {
    }

    /**
     * Runs the starts of one kind and prints their cost.
     *
     * @param args {@code bare}, {@code system} or {@code in-jvm}
     */
    public static void main(String[] args) {
        String kind = args.length == 0 ? "system" : args[0];
        if (!List.of("bare", "system", "in-jvm").contains(kind)) {
            throw new IllegalArgumentException("kind must be bare, system or in-jvm, was " + kind);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long[] wall = new long[COUNTED];
        long[] cpu = new long[COUNTED];
        long jitBefore = 0;
        for (int i = 0; i < UNCOUNTED + COUNTED; i++) {
            if (i == UNCOUNTED) {
                jitBefore = jit.getTotalCompilationTime();
            }
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            AutoCloseable started = start(kind);
            long took = System.nanoTime() - t0;
            long cpuTook = os.getProcessCpuTime() - cpu0;
            try {
                started.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (i >= UNCOUNTED) {
                wall[i - UNCOUNTED] = took;
                cpu[i - UNCOUNTED] = cpuTook;
            }
        }
        long jitMillis = jit.getTotalCompilationTime() - jitBefore;
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "%s: %d counted starts: median %.1f ms (lowest %.1f, p75 %.1f); CPU per start "
                                  + "(median, whole JVM) %.0f ms; JIT compilers %.1f ms per start%n",
                          kind, COUNTED, wall[COUNTED / 2] / 1e6, wall[0] / 1e6, wall[COUNTED * 3 / 4] / 1e6,
                          cpu[COUNTED / 2] / 1e6, (double) jitMillis / COUNTED);
        System.exit(0);
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
            builder.service(new TestSystemStartupBenchmark.SmallService(i));
        }
        TestSystem system = builder.build();
        system.start();
        return system;
    }
}
