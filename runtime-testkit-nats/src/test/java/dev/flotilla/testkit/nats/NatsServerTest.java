package dev.flotilla.testkit.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;

class NatsServerTest {

    @Test
    void startsOnTheGivenPortAndAcceptsClients() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (NatsServer server = NatsServer.start(port)) {
            assertEquals(port, server.port());
            assertEquals("nats://127.0.0.1:" + port, server.url());
            Connection connection = Nats.connect(server.url());
            try {
                connection.flush(Duration.ofSeconds(5));
                assertEquals(Connection.Status.CONNECTED, connection.getStatus());
            } finally {
                connection.close();
            }
        }
    }

    @Test
    void failsWhenTheGivenPortIsTakenInsteadOfTakingTheOtherListenerForItself() throws Exception {
        // another listener on the port accepts connections: readiness must come from the server's own ports file
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                                                   () -> NatsServer.start(taken.getLocalPort()));
            assertTrue(e.getMessage().startsWith("nats-server exited"), e.getMessage());
        }
    }

    @Test
    void rejectsAPortOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NatsServer.start(70_000));
        assertEquals("port must be 1 to 65535, was 70000", e.getMessage());
    }
}
