package dev.flotilla.testkit;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a nats-server the system says so and names the install command; the in-JVM fallback is opt-in. */
class MissingNatsServerTest {

    @Test
    void failsWithTheInstallCommandWhenNoServerCanBeFound() {
        TestSystem system = TestSystem.builder()
                .addService(new GreeterService())
                .natsBinary(Optional::empty)
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class, system::start);
        assertTrue(e.getMessage().startsWith("No nats-server found for the test system: install it with "
                                                     + "'apt-get install nats-server'"), e.getMessage());
        assertTrue(e.getMessage().contains("fallbackToInJvm()"), e.getMessage());
    }

    @Test
    void fallsBackToInJvmOnlyWhenAllowed() {
        try (TestSystem system = TestSystem.builder()
                .addService(new GreeterService())
                .natsBinary(Optional::empty)
                .fallbackToInJvm()
                .build()) {
            system.start();
            assertEquals("in-jvm", system.transport());
        }
    }

    @Test
    void theRequireSystemPropertyForbidsTheFallback() {
        String previous = System.getProperty(TestSystem.REQUIRE_NATS_PROPERTY);
        System.setProperty(TestSystem.REQUIRE_NATS_PROPERTY, "true");
        try {
            TestSystem system = TestSystem.builder()
                    .addService(new GreeterService())
                    .natsBinary(Optional::empty)
                    .fallbackToInJvm()
                    .build();
            IllegalStateException e = assertThrows(IllegalStateException.class, system::start);
            assertTrue(e.getMessage().contains(TestSystem.REQUIRE_NATS_PROPERTY), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(TestSystem.REQUIRE_NATS_PROPERTY);
            } else {
                System.setProperty(TestSystem.REQUIRE_NATS_PROPERTY, previous);
            }
        }
    }
}
