package dev.flotilla.testkit.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NatsServerTest {

    @Test
    void readsItsConfigurationFileAgainOnReloadAndKeepsJetStream(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, "max_payload: 2048\n");
        try (NatsServer server = NatsServer.startWithConfig(conf)) {
            Connection connection = Nats.connect(server.url());
            try {
                assertEquals(2048, connection.getMaxPayload());
                Files.writeString(conf, "max_payload: 4096\n");
                server.reload();
                assertTrue(server.serverLog().contains("Reloaded server configuration"));
                // JetStream stays on: a reload of the caller's file alone would have turned it off
                assertTrue(connection.jetStreamManagement().getAccountStatistics() != null);

                Files.writeString(conf, "max_payload: {\n");
                IllegalStateException refused = assertThrows(IllegalStateException.class, server::reload);
                assertTrue(refused.getMessage().contains("refused the new configuration"), refused.getMessage());
                assertTrue(server.isRunning());
            } finally {
                connection.close();
            }
        }
        assertThrows(IllegalArgumentException.class, () -> NatsServer.startWithConfig(dir.resolve("missing.conf")));
    }

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

    @Test
    void aKilledServerComesBackOnItsPortWithWhatItsStreamsStored() throws Exception {
        try (NatsServer server = NatsServer.start()) {
            int port = server.port();
            Connection connection = Nats.connect(new io.nats.client.Options.Builder().server(server.url())
                                                         .maxReconnects(-1).build());
            try {
                connection.jetStreamManagement().addStream(io.nats.client.api.StreamConfiguration.builder()
                        .name("KILLED").subjects("killed.>")
                        .storageType(io.nats.client.api.StorageType.File).build());
                connection.jetStream().publish("killed.one", "stored".getBytes());

                server.kill();
                assertTrue(!server.isRunning(), "killed");
                server.restart();

                assertEquals(port, server.port());
                assertTrue(connection.getStatus() == Connection.Status.CONNECTED
                                   || waitConnected(connection), "the client reconnected to the same port");
                assertEquals(1, connection.jetStreamManagement().getStreamInfo("KILLED").getStreamState()
                        .getMsgCount());
            } finally {
                connection.close();
            }
        }
    }

    private static boolean waitConnected(Connection connection) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (connection.getStatus() != Connection.Status.CONNECTED && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
        return connection.getStatus() == Connection.Status.CONNECTED;
    }
}
