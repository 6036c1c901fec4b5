package dev.flotilla.testkit;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import dev.flotilla.core.ServiceContext;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The testkit seeds central values, changes them mid-test and puts them back before the next test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CentralConfigTestkitTest {

    @RegisterExtension
    static final TestSystem system = TestSystem.builder()
            .addService(new GreeterService())
            .centralConfig(Map.of("shared.features.loud", "false",
                                  "greeter-service.greeting.prefix", "Hello"))
            .build();

    private static ServiceContext greeter() {
        return system.service("greeter-service").context();
    }

    @Test
    @Order(1)
    void seededValuesAreReadAndAMidTestChangeApplies() {
        assertFalse(greeter().feature("loud"));
        assertEquals("Hello", greeter().config().get("greeting.prefix").asString().get());

        system.centralConfig().put("shared.features.loud", "true");
        eventually(() -> assertTrue(greeter().feature("loud")));
        system.centralConfig().put("greeter-service.greeting.prefix", "Hi");
        eventually(() -> assertEquals("Hi", greeter().config().get("greeting.prefix").asString().get()));
    }

    @Test
    @Order(2)
    void theSeedIsBackForTheNextTest() {
        assertFalse(greeter().feature("loud"));
        assertEquals("Hello", greeter().config().get("greeting.prefix").asString().get());
    }

    @Test
    @Order(3)
    void secretValuesAreNeverLogged() {
        system.centralConfig().put("greeter-service.db.password", "hunter2");
        eventually(() -> assertEquals("hunter2", greeter().config().get("db.password").asString().get()));
        system.centralConfig().put("greeter-service.features.loud", "hunter3");
        eventually(() -> assertTrue(system.logs("greeter-service").stream()
                                            .anyMatch(l -> l.toString().contains("refused central key features.loud"))));
        assertTrue(system.logs("greeter-service").stream().anyMatch(l -> l.toString().contains("db.password")));
        assertTrue(system.logs("greeter-service").stream().noneMatch(l -> l.toString().contains("hunter2")));
    }
}
