package dev.flotilla.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

import org.slf4j.LoggerFactory;

/**
 * The entry point for running a service as its own process.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Flotilla.run(new OrderService(), args);
 * }
 * }</pre>
 *
 * To host several services in one JVM, use {@link ServiceRuntime}.
 */
public final class Flotilla {
    private Flotilla() {
    }

    /**
     * Starts the service, and blocks until the JVM is asked to stop (SIGTERM, Ctrl-C), then stops it gracefully.
     * Arguments of the form {@code --key=value} override configuration keys (for example
     * {@code --server.port=9090}). If the service cannot start, the failure is logged and the JVM exits with
     * status 1. With {@code --flotilla.training-run=true} the run is a training run for the JDK's ahead-of-time
     * cache: once ready, the service is asked for its health, OpenAPI and metrics endpoints, stops gracefully, and the
     * JVM exits with status 0 (see {@code docs/deployment.md}, "Trained start"); a value other than {@code true} or
     * {@code false} stops the service and exits with status 1.
     *
     * @param service the service to run
     * @param args    the command-line arguments
     * @throws NullPointerException     if {@code service} or {@code args} is {@code null}
     * @throws IllegalArgumentException if an argument is not of the form {@code --key=value}
     */
    public static void run(Service service, String... args) {
        Objects.requireNonNull(service, "service");
        ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(service, parseArguments(args))
                .warmUpValidation()
                .build();
        runUntilShutdown(runtime);
    }

    /**
     * Starts every service of the runtime, blocks until the JVM is asked to stop, then stops them gracefully.
     * If a service cannot start, the failure is logged and the JVM exits with status 1. When a service's
     * configuration has {@code flotilla.training-run} set to {@code true}, every service is asked for its health,
     * OpenAPI and metrics endpoints once all are ready, then they stop gracefully and the JVM exits with status 0:
     * the training run of {@code java -XX:AOTCacheOutput=app.aot -jar app.jar --flotilla.training-run=true}.
     *
     * @param runtime the runtime to run
     * @throws NullPointerException if {@code runtime} is {@code null}
     */
    public static void runUntilShutdown(ServiceRuntime runtime) {
        Objects.requireNonNull(runtime, "runtime");
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before start, so a SIGTERM during start-up still stops what has started.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("flotilla-shutdown").unstarted(() -> {
            runtime.stop();
            stopped.countDown();
        }));
        try {
            runtime.start();
        } catch (ServiceStartException e) {
            // Asked for here, not when the class loads: the runtime initializes logging alongside its own start.
            LoggerFactory.getLogger(Flotilla.class).error("{}", e.getMessage(), e.getCause());
            System.exit(1);
            return;
        }
        boolean training;
        try {
            training = TrainingRun.requested(runtime);
        } catch (IllegalArgumentException e) {
            LoggerFactory.getLogger(Flotilla.class).error("{}", e.getMessage());
            runtime.stop();
            System.exit(1);
            return;
        }
        if (training) {
            TrainingRun.exercise(runtime);
            runtime.stop();
            System.exit(0);
            return;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runtime.stop();
        }
    }

    /**
     * Parses {@code --key=value} arguments into configuration overrides.
     *
     * @param args the arguments
     * @return the overrides, in argument order
     * @throws NullPointerException     if {@code args} is {@code null}
     * @throws IllegalArgumentException if an argument is not of the form {@code --key=value}
     */
    public static Map<String, String> parseArguments(String... args) {
        Objects.requireNonNull(args, "args");
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3) {
                throw new IllegalArgumentException("Argument '" + arg
                        + "' is not of the form --key=value (for example --server.port=9090)");
            }
            overrides.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return overrides;
    }
}
