package dev.flotilla.benchmarks.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.testkit.TestSystem;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRules;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How long a five-service {@link TestSystem} with a real nats-server takes to be ready, against starting five bare
 * Helidon WebServers (one route each) in the same JVM and run. Each measured operation is one start; the systems are
 * stopped between iterations, outside the measurement. After the warm-up starts these are later starts in one JVM,
 * what each further test class pays; the suite's 2x target is on the first start in a fresh JVM ({@link StartCost}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TestSystemStartupBenchmark -f 1 -wi 3 -i 10
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TestSystemStartupBenchmark {
    private static final int SERVICES = 5;

    /** A service with one route, like the bare servers. */
    static final class SmallService extends Service {
        SmallService(int index) {
            super("service-" + index, "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.get("/hello", (req, res) -> res.send("hello"));
        }
    }

    private TestSystem system;
    private final List<WebServer> servers = new ArrayList<>();

    /**
     * Starts a five-service test system with its own nats-server.
     *
     * @return the system, consumed by JMH
     */
    @Benchmark
    public TestSystem testSystemWithNats() {
        TestSystem.Builder builder = TestSystem.builder();
        for (int i = 0; i < SERVICES; i++) {
            builder.addService(new SmallService(i));
        }
        system = builder.build();
        system.start();
        return system;
    }

    /**
     * Starts five bare Helidon WebServers on ephemeral ports.
     *
     * @return the servers, consumed by JMH
     */
    @Benchmark
    public List<WebServer> bareHelidonServers() {
        for (int i = 0; i < SERVICES; i++) {
            servers.add(startBareServer());
        }
        return servers;
    }

    /**
     * One bare Helidon WebServer with the same route as {@link SmallService}, on an ephemeral loopback port, and
     * nothing else: no features discovered from the classpath (by default the builder adds every server feature it
     * finds there, and on the benchmark's classpath that is Helidon's observability: health, metrics and their
     * service registry, about 1,400 more classes and 0.2 - 0.5 s more for a first start).
     */
    static WebServer startBareServer() {
        return WebServer.builder()
                .featuresDiscoverServices(false)
                .port(0)
                .host("127.0.0.1")
                .routing(r -> r.get("/hello", (req, res) -> res.send("hello")))
                .build()
                .start();
    }

    /** Stops what the iteration started, outside the measurement. */
    @TearDown(Level.Iteration)
    public void stop() {
        if (system != null) {
            system.close();
            system = null;
        }
        servers.forEach(WebServer::stop);
        servers.clear();
    }
}
