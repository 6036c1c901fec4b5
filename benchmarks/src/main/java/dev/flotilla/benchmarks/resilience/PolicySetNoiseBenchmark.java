package dev.flotilla.benchmarks.resilience;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Diagnostic companion of {@link PolicySetBenchmark}: the same two benchmarks plus raw Failsafe once more, run first
 * (JMH runs benchmarks in name order: {@code aRawFailsafe}, {@code flotilla}, {@code rawFailsafe}). Raw against raw in
 * one run shows how far two identical benchmarks differ on this machine (the noise floor of the ratio), and whether
 * running first or last biases a result.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PolicySetNoiseBenchmark -f 1 -wi 2 -w 2s -i 5 -r 2s -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicySetNoiseBenchmark extends PolicySetBenchmark {
    /**
     * The raw Failsafe call of {@link PolicySetBenchmark#rawFailsafe()}, measured before the other two.
     *
     * @return the result, consumed by JMH
     */
    @Benchmark
    public String aRawFailsafe() {
        return rawFailsafe();
    }
}
