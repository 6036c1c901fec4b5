package dev.flotilla.core;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultipleServicesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoServicesInOneJvmHaveTheirOwnPortsAndConfig() throws Exception {
        Map<String, String> first = new HashMap<>(CatalogService.ephemeral());
        first.put("greeting", "ahoy");
        Map<String, String> second = new HashMap<>(CatalogService.ephemeral());
        second.put("greeting", "bonjour");
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new CatalogService("first-service"), first)
                .addService(new CatalogService("second-service"), second)
                .build()) {
            runtime.start();
            ServiceHandle a = runtime.service("first-service");
            ServiceHandle b = runtime.service("second-service");
            assertNotEquals(a.port(), b.port());

            Map<?, ?> fromA = JSON.readValue(Http.get(a.uri(), "/greet/ann").body(), Map.class);
            Map<?, ?> fromB = JSON.readValue(Http.get(b.uri(), "/greet/ann").body(), Map.class);
            assertEquals(Map.of("greeting", "ahoy ann", "service", "first-service"), fromA);
            assertEquals(Map.of("greeting", "bonjour ann", "service", "second-service"), fromB);

            a.stop();
            assertEquals(ServiceState.STOPPED, a.state());
            assertEquals(200, Http.get(b.uri(), "/greet/bob").statusCode(), "stopping one leaves the other serving");
        }
    }

    @Test
    void twoInstancesOfOneServiceRunSideBySide() {
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new CatalogService(), CatalogService.ephemeral())
                .addService(new CatalogService(), CatalogService.ephemeral())
                .build()) {
            runtime.start();
            assertEquals(2, runtime.instances("catalog-service").size());
            for (ServiceHandle instance : runtime.instances("catalog-service")) {
                assertEquals(200, Http.get(instance.uri(), "/greet/x").statusCode());
            }
        }
    }

    @Test
    void unknownServiceNameIsAClearError() {
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new CatalogService(), CatalogService.ephemeral())
                .build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                      () -> runtime.service("user-service"));
            assertTrue(e.getMessage().contains("catalog-service"), e.getMessage());
        }
    }

    @Test
    void aPortTakenByAnotherServiceFailsTheStartClearly() {
        try (ServiceRuntime first = ServiceRuntime.builder()
                .addService(new CatalogService(), CatalogService.ephemeral()).build()) {
            first.start();
            Map<String, String> samePort = new HashMap<>(CatalogService.ephemeral());
            samePort.put("server.port", String.valueOf(first.service("catalog-service").port()));
            ServiceRuntime second = ServiceRuntime.builder()
                    .addService(new CatalogService("other-service"), samePort).build();
            ServiceStartException e = assertThrows(ServiceStartException.class, second::start);
            assertTrue(e.getMessage().contains("other-service"), e.getMessage());
            assertEquals(ServiceState.FAILED, second.service("other-service").state());
        }
    }
}
