package dev.flotilla.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings given as environment variables reach a service run as its own process, as a container's or a pod's
 * environment gives them: {@code SERVER_PORT}, {@code SERVER_HOST} and {@code SERVER_ADVERTISED_dash_HOST}.
 */
class EnvironmentConfigTest {

    @Test
    void environmentVariablesConfigureAServiceProcess(@TempDir Path dir) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path output = dir.resolve("service.log");
        ProcessBuilder builder = new ProcessBuilder(javaBin, "-cp", ProcessShutdownTest.classPath(),
                                                    GreetingMain.class.getName(), "--shutdown.grace-period=PT0S")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("SERVER_PORT", "0");
        builder.environment().put("SERVER_HOST", "127.0.0.1");
        builder.environment().put("SERVER_ADVERTISED_dash_HOST", "greeting.shop.example");
        Process process = builder.start();
        try {
            Await.until("the service is ready", Duration.ofSeconds(30),
                        () -> read(output).contains("ready at http://greeting.shop.example:"));
            assertTrue(!read(output).contains("ready at http://greeting.shop.example:8080 "), read(output));
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
