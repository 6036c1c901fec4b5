package dev.flotilla.benchmarks.startup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flotilla.core.http.internal.ValidatorBootstrap;
import dev.flotilla.core.json.JsonMapping;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.yaml.YamlConfigParser;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.service.registry.Services;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.NotBlank;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What each ingredient of a service's start costs the JVM on its own: every ingredient runs first thing in a fresh
 * JVM of its own (after the JVM's own start has settled), and the run reports its wall-clock time and the CPU time
 * the whole process spent on it, the JIT compilers' work on its code included (counted until 700 ms after it
 * returned). Ingredients, alternating per round: a bare Helidon WebServer with one route ({@code bare-server}, the
 * yardstick), the logging backend with the sample's {@code logback.xml} ({@code logging}), Flotilla's JSON mapping
 * and Helidon media context ({@code json}), Helidon's service registry ({@code service-registry}, which a bare server
 * starts too), the metrics registry on an already started service registry ({@code meter-registry}), Hibernate
 * Validator's bootstrap ({@code validator}), Helidon configuration from the user-service's YAML file
 * ({@code config}) and an H2 database behind a HikariCP pool with one table ({@code database}).
 *
 * <pre>
 * java -cp "benchmarks/target/classes:sample-system/user-service/target/user-service-0.1.0-SNAPSHOT.jar:\
 * sample-system/user-service/target/lib/*" dev.flotilla.benchmarks.startup.IngredientCost 5
 * </pre>
 *
 * <p>The figures add up to more than a service's start costs: in a service the ingredients share classes (the JDK's,
 * Helidon's common ones) that each one here loads alone. They say which ingredient weighs what, not a sum.
 */
public final class IngredientCost {
    private static final List<String> INGREDIENTS = List.of("bare-server", "logging", "json", "service-registry",
                                                            "meter-registry", "validator", "config", "database");
    private static final long SETTLE_MILLIS = 700;

    private IngredientCost() {
    }

    /** A constrained value for the validator to check. */
    private record Named(@NotBlank String name) {
    }

    /**
     * Runs every ingredient in fresh JVMs and prints the medians; with {@code --child NAME}, runs one ingredient in
     * this JVM and prints its figures.
     *
     * @param args {@code [rounds]} (default 5), or {@code --child NAME}
     * @throws Exception if a child JVM cannot be started, fails or prints no result
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            child(args[1]);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String classPath = System.getProperty("java.class.path");
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        INGREDIENTS.forEach(name -> results.put(name, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(INGREDIENTS);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String name : order) {
                results.get(name).add(runChild(java, classPath, name));
            }
        }
        System.out.printf(Locale.ROOT, "%-17s %14s %14s   (medians of %d fresh JVMs each; ranges)%n",
                          "ingredient", "wall ms", "CPU ms", rounds);
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            List<Double> wall = e.getValue().stream().map(r -> r[0]).sorted().toList();
            List<Double> cpu = e.getValue().stream().map(r -> r[1]).sorted().toList();
            System.out.printf(Locale.ROOT, "%-17s %5.0f (%3.0f-%3.0f) %5.0f (%3.0f-%3.0f)%n", e.getKey(),
                              median(wall), wall.getFirst(), wall.getLast(),
                              median(cpu), cpu.getFirst(), cpu.getLast());
        }
    }

    private static double[] runChild(String java, String classPath, String name) throws Exception {
        Process process = new ProcessBuilder(java, "-XX:+UseG1GC", "-Xms1g", "-Xmx1g", "-cp", classPath,
                                             IngredientCost.class.getName(), "--child", name)
                .redirectErrorStream(true)
                .start();
        double[] result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                                                                          StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    String[] parts = line.split(" ");
                    result = new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || result == null) {
            process.destroyForcibly();
            throw new IllegalStateException("ingredient " + name + " failed:\n" + output);
        }
        return result;
    }

    private static void child(String name) throws Exception {
        if (name.equals("meter-registry")) {
            GlobalServiceRegistry.registry(); // a bare server starts it too: not counted here
        }
        Thread.sleep(SETTLE_MILLIS);
        long cpuBefore = processCpuNanos();
        long began = System.nanoTime();
        Object kept = run(name);
        long wall = System.nanoTime() - began;
        Thread.sleep(SETTLE_MILLIS);
        long cpu = processCpuNanos() - cpuBefore;
        System.out.printf(Locale.ROOT, "RESULT %.1f %.1f %s%n", wall / 1e6, cpu / 1e6, kept != null);
        System.exit(0);
    }

    private static Object run(String name) throws Exception {
        return switch (name) {
            case "bare-server" -> BareServer.start(0);
            case "logging" -> {
                org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(IngredientCost.class);
                logger.info("logging is up");
                yield logger;
            }
            case "json" -> {
                ObjectMapper mapper = JsonMapping.newMapper();
                yield JsonMapping.mediaContext(mapper);
            }
            case "service-registry" -> GlobalServiceRegistry.registry();
            case "meter-registry" -> Services.get(MeterRegistry.class);
            case "validator" -> {
                try (ValidatorFactory factory = ValidatorBootstrap.configure().buildValidatorFactory()) {
                    yield factory.getValidator().validate(new Named(""));
                }
            }
            case "config" -> {
                Config config = Config.builder()
                        .disableEnvironmentVariablesSource()
                        .disableSystemPropertiesSource()
                        .disableParserServices()
                        .addParser(YamlConfigParser.create())
                        .addSource(ConfigSources.classpath("user-service.yaml"))
                        .build();
                yield config.get("server.port").asInt().orElse(0);
            }
            case "database" -> {
                HikariConfig settings = new HikariConfig();
                settings.setJdbcUrl("jdbc:h2:mem:ingredient;DB_CLOSE_DELAY=-1");
                settings.setMaximumPoolSize(4);
                HikariDataSource pool = new HikariDataSource(settings);
                try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                    statement.execute("CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL)");
                }
                yield pool;
            }
            default -> throw new IllegalArgumentException("unknown ingredient " + name + "; known: " + INGREDIENTS);
        };
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Of sorted values. Not the suite's: this runs on the service's class path, without the suite's libraries. */
    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
