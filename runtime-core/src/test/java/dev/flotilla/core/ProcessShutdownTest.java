package dev.flotilla.core;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        Process process = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
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

    private static URI readyUri(Path output) {
        try {
            Matcher m = READY.matcher(Files.readString(output));
            return m.find() ? URI.create(m.group(1)) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
