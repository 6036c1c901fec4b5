package dev.flotilla.benchmarks.resilience;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
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
 * Diagnostic companion of {@link PolicySetBenchmark}: the same comparison without the timeout on either side (retry +
 * circuit breaker only), so that Flotilla's own per-call work is not hidden by the cost and noise of Failsafe's
 * timeout timer. Not a figure with a target; use it to see where Flotilla's overhead comes from.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PolicySetOverheadBenchmark -f 1 -wi 2 -w 2s -i 5 -r 2s -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicySetOverheadBenchmark {
    private static final CheckedSupplier<String> NO_OP = () -> "ok";

    private PolicySet flotilla;
    private FailsafeExecutor<Object> raw;

    /**
     * Builds both compositions with the settings of {@link PolicySetBenchmark}, minus the timeout.
     */
    @Setup
    public void setUp() {
        flotilla = Resilience.builder().policies("downstream", b -> b.timeout(t -> t.enabled(false))).build()
                .policies("downstream");
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
        raw = Failsafe.with(retry, breaker);
    }

    /**
     * A call through the named Flotilla set without a timeout.
     *
     * @return the result, consumed by JMH
     */
    @Benchmark
    public String flotillaNoTimeout() {
        return flotilla.get(NO_OP);
    }

    /**
     * The same call through raw Failsafe without a timeout.
     *
     * @return the result, consumed by JMH
     */
    @Benchmark
    public String rawFailsafeNoTimeout() {
        return raw.get(NO_OP);
    }
}
