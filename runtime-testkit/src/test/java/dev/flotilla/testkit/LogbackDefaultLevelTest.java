package dev.flotilla.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit leaves the logging backend to the project: Logback without a configuration file of the project's logs
 * at INFO once a system starts (Logback's own default is DEBUG), a project's configuration is kept, and without
 * Logback the system runs and says what to add for log lines. This module's tests have a {@code logback-test.xml},
 * so each case runs in a class loader of its own over the same class path, where SLF4J and Logback initialise
 * afresh and see only the configuration files (or Logback jars) the case gives them.
 *
 * <p>Runs on the class path (see this module's pom): on the module path the JDK's loaders find the packages of the
 * boot layer's modules (Logback among them) through any loader, so no class loader of the test's own is isolated.
 */
class LogbackDefaultLevelTest {
    private static final String PROBE = "dev.flotilla.testkit.LoggingProbe";

    @Test
    void aProjectWithoutLogbackConfigurationLogsAtInfo() throws Exception {
        Object lines = runIsolated("linesCapturedAfterStart", url -> true,
                                   Map.of("logback-test.xml", Optional.empty(), "logback.xml", Optional.empty()));
        assertEquals(List.of("INFO an INFO line"), lines);
    }

    @Test
    void aProjectsOwnConfigurationIsKept(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("logback-test.xml"),
                                        "<configuration><root level=\"DEBUG\"/></configuration>");
        Object lines = runIsolated("linesCapturedAfterStart", url -> true,
                                   Map.of("logback-test.xml", Optional.of(config.toUri().toURL()),
                                          "logback.xml", Optional.empty()));
        assertEquals(List.of("DEBUG a DEBUG line", "INFO an INFO line"), lines);
    }

    @Test
    void withoutLogbackTheSystemRunsAndAskingForLogLinesNamesWhatToAdd() throws Exception {
        Object answer = runIsolated("logsAnswer", url -> !url.getPath().contains("/ch/qos/logback/"), Map.of());
        String message = (String) answer;
        assertTrue(message.startsWith("Log lines are not captured: the testkit reads them through Logback"), message);
        assertTrue(message.contains("add ch.qos.logback:logback-classic to the test dependencies"), message);
        assertFalse(message.contains("ch.qos.logback.classic.LoggerContext"), message);
    }

    /**
     * Everything this test runs with, as class path entries: on the module path the module under test is patched
     * with its test classes, so those, the module path and the class path together make the class path a project
     * would have.
     */
    private static List<String> classPathEntries() throws Exception {
        List<String> entries = new java.util.ArrayList<>();
        entries.add(Path.of(LoggingProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                entries.addAll(Arrays.asList(value.split(File.pathSeparator)));
            }
        }
        return entries;
    }

    /**
     * Calls a static method of {@link LoggingProbe} loaded afresh from this JVM's class path: the entries
     * {@code keep} accepts, with the resources in {@code resources} replaced (or hidden when empty).
     */
    private static Object runIsolated(String method, Predicate<URL> keep, Map<String, Optional<URL>> resources)
            throws Exception {
        List<URL> classPath = classPathEntries().stream()
                .map(LogbackDefaultLevelTest::url)
                .filter(keep)
                .toList();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader loader = new Isolated(classPath, resources)) {
            thread.setContextClassLoader(loader);
            Method probe = Class.forName(PROBE, true, loader).getDeclaredMethod(method);
            probe.setAccessible(true);
            return probe.invoke(null);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static URL url(String entry) {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A class loader over the class path, below the platform loader, with some resources replaced. */
    private static final class Isolated extends URLClassLoader {
        private final Map<String, Optional<URL>> resources;

        Isolated(List<URL> classPath, Map<String, Optional<URL>> resources) {
            super(classPath.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            this.resources = resources;
        }

        @Override
        public URL findResource(String name) {
            Optional<URL> replaced = resources.get(name);
            return replaced == null ? super.findResource(name) : replaced.orElse(null);
        }

        @Override
        public Enumeration<URL> findResources(String name) throws IOException {
            Optional<URL> replaced = resources.get(name);
            return replaced == null ? super.findResources(name) : Collections.enumeration(replaced.stream().toList());
        }
    }
}
