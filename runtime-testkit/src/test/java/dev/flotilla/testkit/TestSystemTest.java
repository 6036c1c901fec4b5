package dev.flotilla.testkit;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceState;
import dev.flotilla.core.http.RemoteUnavailableException;
import dev.flotilla.messaging.MessagingHeaders;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The testkit tested with a small system on a real nats-server. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestSystemTest {

    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder()
            .addService(new GreeterService())
            .addService(new AuditService())
            .build();

    @Test
    @Order(1)
    void startsEveryServiceOnARealNatsServer(TestSystem system) {
        assertEquals("nats", system.transport());
        assertTrue(system.natsUrl().orElseThrow().startsWith("nats://127.0.0.1:"));
        assertEquals(ServiceState.READY, system.service("greeter-service").state());
        assertEquals(ServiceState.READY, system.service("audit-service").state());
    }

    @Test
    @Order(2)
    void injectsClientsHandlesAndCapturesMessages(@ServiceName("greeter-service") GreeterApi greeter,
                                                  @ServiceName("audit-service") AuditApi audit,
                                                  @ServiceName("audit-service") ServiceHandle auditHandle,
                                                  Messages messages) {
        greeter.greet(new GreeterApi.Greet("Ada"));
        GreeterApi.Greeted event = messages.await(GreeterService.GREETED, GreeterApi.Greeted.class,
                                                  e -> e.name().equals("Ada"));
        assertEquals("Hello, Ada!", event.message());
        eventually(() -> assertEquals(1, audit.count()));
        assertEquals(ServiceState.READY, auditHandle.state());
    }

    @Test
    @Order(3)
    void capturedMessagesWereResetBeforeThisTest(Messages messages) {
        assertTrue(messages.all().isEmpty(), "captured messages reset between tests: " + messages.all());
        messages.assertNonePublished(GreeterService.GREETED, Duration.ofMillis(100));
    }

    @Test
    @Order(4)
    void awaitFailsWithAUsefulMessageWhenTheMessageNeverComes(@ServiceName("greeter-service") GreeterApi greeter) {
        greeter.greet(new GreeterApi.Greet("Bob"));
        SYSTEM.messages().await(GreeterService.GREETED, GreeterApi.Greeted.class, e -> e.name().equals("Bob"));
        AssertionError e = assertThrows(AssertionError.class, () -> SYSTEM.messages()
                .await(GreeterService.GREETED, GreeterApi.Greeted.class, g -> g.name().equals("Carol"),
                       Duration.ofMillis(300)));
        assertTrue(e.getMessage().startsWith("No message on 'greetings.greeted.v1' matching the condition within "
                                                     + "PT0.3S. Captured on that subject: [greetings.greeted.v1 "
                                                     + "{\"name\":\"Bob\""), e.getMessage());
        assertTrue(e.getMessage().contains("Subjects seen: [greetings.greeted.v1]"), e.getMessage());
        AssertionError none = assertThrows(AssertionError.class,
                () -> SYSTEM.messages().assertNonePublished("greetings.>", Duration.ofMillis(100)));
        assertTrue(none.getMessage().contains("Bob"), none.getMessage());
    }

    @Test
    @Order(5)
    void httpFaultsAnswerWithAnErrorStatusThenClear(@ServiceName("greeter-service") GreeterApi greeter,
                                                    @ServiceName("greeter-service") Faults faults) {
        faults.failRequests(2, 503);
        assertThrows(RemoteUnavailableException.class, () -> greeter.greet(new GreeterApi.Greet("x")));
        assertThrows(RemoteUnavailableException.class, () -> greeter.greet(new GreeterApi.Greet("y")));
        assertEquals("z", greeter.greet(new GreeterApi.Greet("z")).name());
        assertEquals(2, faults.injected());
    }

    @Test
    @Order(6)
    void faultsWereClearedBeforeThisTest(@ServiceName("greeter-service") Faults faults,
                                         @ServiceName("greeter-service") GreeterApi greeter) {
        faults.failRequests(5, 500);
        SYSTEM.reset();
        assertEquals(0, faults.injected());
        assertEquals("w", greeter.greet(new GreeterApi.Greet("w")).name());
    }

    @Test
    @Order(7)
    void delayFaultSlowsRequestsDown(@ServiceName("greeter-service") Faults faults,
                                     @ServiceName("greeter-service") GreeterApi greeter) {
        faults.delayRequests(1, Duration.ofMillis(300));
        long start = System.nanoTime();
        greeter.count();
        // A lower bound only: the fault cannot make a request faster.
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
        assertEquals(1, faults.injected());
    }

    @Test
    @Order(8)
    void handlerFaultDeadLettersACoreMessage(@ServiceName("greeter-service") GreeterApi greeter,
                                             @ServiceName("audit-service") AuditApi audit,
                                             @ServiceName("audit-service") Faults faults) {
        long before = audit.count();
        faults.failHandler(GreeterService.GREETED, 1);
        greeter.greet(new GreeterApi.Greet("Dora"));
        CapturedMessage dead = SYSTEM.messages().awaitCount("deadletter.audit-service", 1, Duration.ofSeconds(10))
                .getFirst();
        assertTrue(dead.header(MessagingHeaders.DEAD_LETTER_REASON).orElseThrow().contains("Fault injected"),
                   dead.headers().toString());
        greeter.greet(new GreeterApi.Greet("Eve"));
        eventually(() -> assertEquals(before + 1, audit.count()));
    }

    @Test
    @Order(9)
    void servicesStopAndStartAgain(@ServiceName("audit-service") ServiceHandle audit) throws Exception {
        audit.stop();
        assertEquals(ServiceState.STOPPED, audit.state());
        audit.start();
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(audit.uri().resolve("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode());
    }

    @Test
    @Order(10)
    void aServiceStoppedByATestIsRunningAgainInTheNext(@ServiceName("audit-service") ServiceHandle audit) {
        audit.stop();
        SYSTEM.reset();
        assertEquals(ServiceState.READY, audit.state());
    }

    @Test
    @Order(11)
    void natsStopsAndStartsAgainAndServicesReconnect(@ServiceName("greeter-service") ServiceHandle greeter,
                                                      @ServiceName("greeter-service") GreeterApi api) {
        HttpClient http = HttpClient.newHttpClient();
        SYSTEM.stopNats();
        eventually(() -> assertEquals(503, http.send(HttpRequest.newBuilder(greeter.uri().resolve("/health/ready"))
                                                             .build(), HttpResponse.BodyHandlers.ofString())
                .statusCode(), "readiness reports the lost NATS connection"));
        SYSTEM.startNats();
        eventually(() -> assertEquals(200, http.send(HttpRequest.newBuilder(greeter.uri().resolve("/health/ready"))
                                                             .build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()));
        eventually(() -> {
            api.greet(new GreeterApi.Greet("after-restart"));
            SYSTEM.messages().await(GreeterService.GREETED, GreeterApi.Greeted.class,
                                    e -> e.name().equals("after-restart"), Duration.ofSeconds(1));
        });
    }

    @Test
    @Order(12)
    void logLinesOfEachServiceCanBeRead(@ServiceName("greeter-service") GreeterApi greeter) {
        greeter.greet(new GreeterApi.Greet("Fay"));
        eventually(() -> {
            LogLine greeted = SYSTEM.logs("greeter-service").stream()
                    .filter(l -> l.message().equals("Greeting Fay")).findFirst().orElseThrow();
            String correlationId = greeted.mdc("correlationId").orElseThrow();
            assertTrue(SYSTEM.logs("audit-service").stream()
                               .anyMatch(l -> l.message().equals("Audited greeting of Fay")
                                       && correlationId.equals(l.mdc("correlationId").orElse(null))),
                       "the same correlation id in both services' lines");
        });
    }

    @Test
    @Order(13)
    void aFailingTestReportsLogsAndMessages(@ServiceName("greeter-service") GreeterApi greeter) {
        greeter.greet(new GreeterApi.Greet("Gus"));
        SYSTEM.messages().await(GreeterService.GREETED, GreeterApi.Greeted.class, e -> e.name().equals("Gus"));
        String report = SYSTEM.report("some test");
        assertTrue(report.contains("==== Flotilla test system after failed test 'some test' (transport: nats)"),
                   report);
        assertTrue(report.contains("---- greeter-service: last"), report);
        assertTrue(report.contains("Greeting Gus"), report);
        assertTrue(report.contains("greetings.greeted.v1 {\"name\":\"Gus\""), report);
    }
}
