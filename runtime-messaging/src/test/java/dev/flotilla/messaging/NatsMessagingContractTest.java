package dev.flotilla.messaging;

import java.time.Duration;

import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on a real nats-server with JetStream. */
class NatsMessagingContractTest extends MessagingContractTest {

    private static NatsServer server;

    @BeforeAll
    static void startServer() {
        server = NatsServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static NatsSettings.Builder settings(NatsServer server) {
        return NatsSettings.builder()
                .server(server.url())
                .reconnectInitialWait(Duration.ofMillis(20))
                .reconnectMaxWait(Duration.ofMillis(100))
                .reconnectJitter(Duration.ofMillis(10))
                .pullExpiry(Duration.ofSeconds(1));
    }

    @Override
    Messaging newMessaging(String serviceName) {
        return Messaging.builder().serviceName(serviceName).nats(settings(server).build()).build();
    }

    @Override
    boolean supportsJetStream() {
        return true;
    }
}
