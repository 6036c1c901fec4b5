package dev.flotilla.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;

import dev.flotilla.core.ServiceState;
import org.junit.jupiter.api.Test;

/**
 * The test system picks the nats-server's port before starting it, so another process may take the port in between;
 * the start then falls back to letting the server pick its own port, and the system still comes up on NATS.
 */
class NatsPortTakenTest {

    @Test
    void startsOnAnotherPortWhenThePickedOneIsTakenMeanwhile() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TestSystem system = TestSystem.builder()
                     .addService(new GreeterService())
                     .natsPort(taken::getLocalPort)
                     .build()) {
            system.start();
            assertEquals("nats", system.transport());
            int natsPort = URI.create(system.natsUrl().orElseThrow()).getPort();
            assertNotEquals(taken.getLocalPort(), natsPort);
            assertEquals(ServiceState.READY, system.service("greeter-service").state());
        }
    }
}
