package dev.flotilla.core.config.internal;

import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import dev.flotilla.core.Flotilla;

/**
 * Overrides > system properties > environment > {@code <service>.yaml} > {@code application.yaml}; within each
 * layer the service's own section beats the root. The two YAML files are in the test resources.
 */
class ConfigPrecedenceTest {
    private static final String SERVICE = "precedence-service";

    private static Config load(Map<String, String> env, Map<String, String> sysProps, Map<String, String> overrides) {
        ServiceConfigLoader loader = new ServiceConfigLoader(() -> env, () -> sysProps);
        return loader.load(SERVICE, overrides);
    }

    private static String greeting(Config config) {
        return config.get("greeting").asString().orElse("<missing>");
    }

    @Test
    void serviceFileBeatsApplicationFile() {
        Config config = load(Map.of(), Map.of(), Map.of());
        assertEquals("from-service-file", greeting(config));
        assertEquals("application-section", config.get("section-only").asString().get());
        assertEquals("present", config.get("source.application-root").asString().get());
    }

    @Test
    void environmentBeatsFiles() {
        assertEquals("from-env", greeting(load(Map.of("greeting", "from-env"), Map.of(), Map.of())));
    }

    @Test
    void environmentVariableNamesAreMappedToKeys() {
        Config config = load(Map.of("MESSAGING_NATS_SERVERS", "nats://a:4222,nats://b:4222",
                                    "SERVER_ADVERTISED_dash_HOST", "10.0.0.7",
                                    "PRECEDENCE_dash_SERVICE_GREETING", "env-section"), Map.of(), Map.of());
        assertEquals("nats://a:4222,nats://b:4222", config.get("messaging.nats.servers").asString().get());
        assertEquals("10.0.0.7", config.get("server.advertised-host").asString().get());
        assertEquals("env-section", greeting(config));
    }

    @Test
    void serviceSectionBeatsRootWithinALayer() {
        Config config = load(Map.of("greeting", "env-root", SERVICE + ".greeting", "env-section"), Map.of(), Map.of());
        assertEquals("env-section", greeting(config));
    }

    @Test
    void systemPropertiesBeatEnvironment() {
        Config config = load(Map.of(SERVICE + ".greeting", "env-section"), Map.of("greeting", "from-sysprop"),
                             Map.of());
        assertEquals("from-sysprop", greeting(config));
    }

    @Test
    void overridesBeatEverything() {
        Config config = load(Map.of("greeting", "from-env"), Map.of(SERVICE + ".greeting", "sysprop-section"),
                             Map.of("greeting", "from-override"));
        assertEquals("from-override", greeting(config));
    }

    @Test
    void theJvmsOwnSystemPropertiesAreNotConfiguration() {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("java.version", "25");
        properties.setProperty("user.dir", "/tmp");
        properties.setProperty("greeting", "from-sysprop");
        properties.setProperty("javax.net.ssl.trustStore", "/certs");
        Map<String, String> copied = ServiceConfigLoader.copy(properties);
        assertEquals(Map.of("greeting", "from-sysprop", "javax.net.ssl.trustStore", "/certs"), copied);
    }

    @Test
    void changedSystemPropertiesAreReadAtTheNextLoad() {
        Map<String, String> sysProps = new java.util.concurrent.ConcurrentHashMap<>(Map.of("greeting", "first"));
        ServiceConfigLoader loader = new ServiceConfigLoader(Map::of,
                                                             () -> Map.copyOf(sysProps));
        assertEquals("first", greeting(loader.load(SERVICE, Map.of())));
        sysProps.put("greeting", "second");
        assertEquals("second", greeting(loader.load(SERVICE, Map.of())));
    }

    private static Config loadWithCentral(Map<String, String> env, Map<String, String> sysProps,
                                          Map<String, String> central) {
        ServiceConfigLoader loader = new ServiceConfigLoader(() -> env, () -> sysProps);
        return loader.load(SERVICE, Map.of(), central);
    }

    @Test
    void centralBeatsTheServiceFileAndApplicationSection() {
        assertEquals("from-central", greeting(loadWithCentral(Map.of(), Map.of(), Map.of("greeting", "from-central"))));
    }

    @Test
    void environmentAndSystemPropertiesBeatCentral() {
        assertEquals("from-env", greeting(loadWithCentral(Map.of("greeting", "from-env"), Map.of(),
                                                          Map.of("greeting", "from-central"))));
        assertEquals("from-sysprop", greeting(loadWithCentral(Map.of(), Map.of("greeting", "from-sysprop"),
                                                              Map.of("greeting", "from-central"))));
    }

    @Test
    void centralValuesResolveEnvironmentAndFileReferences() throws Exception {
        java.nio.file.Path secret = java.nio.file.Files.createTempFile("secret", ".txt");
        try {
            java.nio.file.Files.writeString(secret, "s3cret\n");
            ValueReferences refs = new ValueReferences(name -> name.equals("DB_USER") ? "shop" : null);
            assertEquals("shop:s3cret", refs.resolve("${env:DB_USER}:${file:" + secret + "}"));
            IllegalArgumentException missing = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> refs.resolve("${env:NOPE}"));
            assertEquals("environment variable NOPE is not set", missing.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(ValueReferences.looksSecret("database.password"));
            org.junit.jupiter.api.Assertions.assertTrue(ValueReferences.looksSecret("payments.api-key"));
            org.junit.jupiter.api.Assertions.assertFalse(ValueReferences.looksSecret("features.express-checkout"));
            assertEquals("(hidden)", ValueReferences.printable("auth.token", "abc"));
        } finally {
            java.nio.file.Files.deleteIfExists(secret);
        }
    }

    @Test
    void anotherServicesSectionIsInvisible() {
        Config config = load(Map.of("other-service.greeting", "not mine"), Map.of(), Map.of());
        assertEquals("from-service-file", greeting(config));
    }

    @Test
    void theProcessConfigurationHasTheProcessLayersAndNoServiceFile() {
        ServiceConfigLoader loader = new ServiceConfigLoader(() -> Map.of("greeting", "from-env", "metrics_enabled",
                                                                          "false"),
                                                             () -> Map.of("metrics.app-name", "from-sysprops"));
        Config process = loader.processConfig();
        // What Helidon's own libraries read from their registry's configuration (the metrics registry's section).
        assertEquals("from-sysprops", process.get("metrics.app-name").asString().get());
        assertEquals("false", process.get("metrics.enabled").asString().get());
        assertEquals("from-env", greeting(process));
        assertEquals("present", process.get("source.application-root").asString().get());
        // The root, not a service's view: the service's file and its sections are not part of it.
        assertEquals("from-application-section", process.get(SERVICE + ".greeting").asString().get());
        assertFalse(process.get("section-only").exists());
        Config withoutEnvironment = new ServiceConfigLoader(Map::of, Map::of).processConfig();
        assertEquals("from-application-root", greeting(withoutEnvironment));
    }

    @Test
    void commandLineArgumentsBecomeOverrides() {
        assertEquals(Map.of("server.port", "9090", "greeting", "a=b"),
                     Flotilla.parseArguments("--server.port=9090", "--greeting=a=b"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                                                      () -> Flotilla.parseArguments("server.port=9090"));
    }
}
