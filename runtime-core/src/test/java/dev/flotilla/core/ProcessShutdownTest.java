package dev.flotilla.core;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A service run with {@link Flotilla#run} as its own process stops cleanly on SIGTERM. */
class ProcessShutdownTest {
    private static final Pattern READY = Pattern.compile("ready at (http://\\S+) in");

    @Test
    void serviceProcessStopsGracefullyOnSigterm(@TempDir Path dir) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path output = dir.resolve("service.log");
        Process process = new ProcessBuilder(javaBin, "-cp", classPath(),
                                             GreetingMain.class.getName(),
                                             "--server.port=0", "--server.host=127.0.0.1",
                                             "--shutdown.grace-period=PT0S")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            Await.until("the service is ready", Duration.ofSeconds(30), () -> readyUri(output) != null);
            URI base = readyUri(output);
            assertEquals("hello", Http.get(base, "/hello").body());

            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "process exits after SIGTERM");
            String log = Files.readString(output);
            assertTrue(log.contains("greeting-service shutdown hook ran"), log);
            assertTrue(log.contains("stopped in"), log);
            assertFalse(log.contains("Exception"), log);
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * Everything this test runs with, as a class path: the tests run on the module path (the module under test
     * patched with its test classes), and the child process runs as an application would, from the class path.
     */
    static String classPath() throws Exception {
        List<String> entries = new ArrayList<>();
        entries.add(Path.of(GreetingMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                entries.add(value);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static URI readyUri(Path output) {
        try {
            Matcher m = READY.matcher(Files.readString(output));
            return m.find() ? URI.create(m.group(1)) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
