package dev.flotilla.benchmarks.resilience;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.Timeout;
import dev.failsafe.function.CheckedSupplier;
import dev.flotilla.resilience.PolicySet;
import dev.flotilla.resilience.Resilience;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A successful no-op call through a named Flotilla policy set (retry + circuit breaker + timeout) against the same
 * policies composed with raw Failsafe, in the same JVM and run. Both use Failsafe's synchronous path. Raw Failsafe's
 * timeout schedules and cancels a timer per call on its scheduler thread, which dominates its cost; the policy set's
 * caller-thread timeout is expired by one watchdog per registry instead (docs/resilience.md), so this ratio compares
 * the two timeout mechanisms as much as anything else. {@link PolicySetOverheadBenchmark} leaves the timeout out.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PolicySetBenchmark -f 1 -wi 2 -w 2s -i 3 -r 2s -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicySetBenchmark {
    private static final CheckedSupplier<String> NO_OP = () -> "ok";

    private PolicySet flotilla;
    private FailsafeExecutor<Object> raw;

    /**
     * Builds both compositions with the same settings: 3 attempts, 100 ms backoff to 2 s, a count breaker of 20 calls
     * at 50%, 3 half-open calls, 5 s open delay, a 2 s interrupting timeout.
     */
    @Setup
    public void setUp() {
        flotilla = Resilience.builder().build().policies("downstream");
        RetryPolicy<Object> retry = RetryPolicy.builder()
                .withMaxAttempts(3)
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .withJitter(0.5)
                .build();
        CircuitBreaker<Object> breaker = CircuitBreaker.builder()
                .withFailureThreshold(10, 20)
                .withSuccessThreshold(3)
                .withDelay(Duration.ofSeconds(5))
                .build();
        Timeout<Object> timeout = Timeout.builder(Duration.ofSeconds(2)).withInterrupt().build();
        raw = Failsafe.with(retry, breaker, timeout);
    }

    /**
     * A call through the named Flotilla set.
     *
     * @return the result, consumed by JMH
     */
    @Benchmark
    public String flotilla() {
        return flotilla.get(NO_OP);
    }

    /**
     * The same call through raw Failsafe.
     *
     * @return the result, consumed by JMH
     */
    @Benchmark
    public String rawFailsafe() {
        return raw.get(NO_OP);
    }
}
