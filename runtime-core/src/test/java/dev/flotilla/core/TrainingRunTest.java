package dev.flotilla.core;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --flotilla.training-run=true}: a service run with {@link Flotilla#run} starts, becomes ready, answers its own
 * built-in endpoints, stops gracefully and exits 0 by itself; under {@code -XX:AOTCacheOutput} that run writes an
 * AOT cache the next start can use.
 */
class TrainingRunTest {

    @Test
    void aTrainingRunAnswersItsOwnEndpointsStopsGracefullyAndExitsZero(@TempDir Path dir) throws Exception {
        String log = run(dir.resolve("training.log"), List.of(), "--flotilla.training-run=true");
        assertTrue(log.contains("Training run done: greeting-service /health/ready 200, greeting-service "
                + "/health/live 200, greeting-service /openapi 200, greeting-service /metrics 200"), log);
        assertTrue(log.contains("greeting-service shutdown hook ran"), log);
        assertTrue(log.contains("stopped in"), log);
        assertFalse(log.contains("Exception"), log);
    }

    @Test
    void aTrainingRunValueThatIsNotABooleanStopsTheServiceAndExitsOne(@TempDir Path dir) throws Exception {
        String log = run(dir.resolve("training.log"), 1, ProcessShutdownTest.classPath(), List.of(),
                         "--flotilla.training-run=yes");
        assertTrue(log.contains("Service 'greeting-service': flotilla.training-run must be true or false, was 'yes'"),
                   log);
        assertTrue(log.contains("greeting-service shutdown hook ran"), log);
        assertFalse(log.contains("Training run done"), log);
    }

    /**
     * The JDK archives classes from jars only and refuses a class path with a non-empty directory, so the service's
     * classes (this module's and its tests') go into a jar first, as an application's would be.
     */
    @Test
    void aTrainingRunUnderAotCacheOutputWritesACacheTheNextStartUses(@TempDir Path dir) throws Exception {
        List<String> classPath = new ArrayList<>();
        classPath.add(jarOfDirectories(dir.resolve("app.jar")).toString());
        for (String entry : ProcessShutdownTest.classPath().split(File.pathSeparator)) {
            if (!entry.isBlank() && !Files.isDirectory(Path.of(entry))) {
                classPath.add(entry);
            }
        }
        String cp = String.join(File.pathSeparator, classPath);
        Path cache = dir.resolve("app.aot");
        run(dir.resolve("training.log"), cp, List.of("-XX:AOTCacheOutput=" + cache), "--flotilla.training-run=true");
        assertTrue(Files.size(cache) > 0, "the training run wrote " + cache);
        // AOTMode=on: the JVM refuses to start if it cannot use the cache
        String log = run(dir.resolve("trained.log"), cp, List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on"),
                         "--flotilla.training-run=true");
        assertTrue(log.contains("Training run done"), log);
    }

    /** Runs {@link GreetingMain} as its own process and returns its output once it has exited 0. */
    private static String run(Path output, List<String> jvmOptions, String... args) throws Exception {
        return run(output, 0, ProcessShutdownTest.classPath(), jvmOptions, args);
    }

    private static String run(Path output, String classPath, List<String> jvmOptions, String... args)
            throws Exception {
        return run(output, 0, classPath, jvmOptions, args);
    }

    /** Runs {@link GreetingMain} as its own process and returns its output once it has exited with {@code status}. */
    private static String run(Path output, int status, String classPath, List<String> jvmOptions, String... args)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, GreetingMain.class.getName(),
                               "--server.port=0", "--server.host=127.0.0.1", "--shutdown.grace-period=PT0S"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the process exits by itself");
            String log = Files.readString(output);
            assertEquals(status, process.exitValue(), log);
            return log;
        } finally {
            process.destroyForcibly();
        }
    }

    /** Every directory of the class path this test runs with, in one jar. */
    private static Path jarOfDirectories(Path jar) throws Exception {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            Set<String> written = new HashSet<>();
            for (String entry : ProcessShutdownTest.classPath().split(File.pathSeparator)) {
                Path root = entry.isBlank() ? null : Path.of(entry);
                if (root == null || !Files.isDirectory(root)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        String name = root.relativize(file).toString().replace(File.separatorChar, '/');
                        if (!name.equals("module-info.class") && written.add(name)) {
                            out.putNextEntry(new JarEntry(name));
                            Files.copy(file, out);
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        return jar;
    }
}
