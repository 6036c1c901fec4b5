package dev.flotilla.reliability;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.resilience.Resilience;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Heavy: two user-service processes on one PostgreSQL schema behind client-side load balancing; one is killed with
 * SIGKILL under steady load. Idempotent reads fail over to the other instance; the non-idempotent writes that were
 * in flight on the killed instance fail, and are counted.
 */
class AbruptKillTest {
    private static final String URL = System.getProperty("sample.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = System.getProperty("sample.postgres.user", "postgres");

    @Test
    void idempotentRequestsFailOverWhenAnInstanceIsKilled() throws Exception {
        Heavy.required();
        try (Connection c = DriverManager.getConnection(URL, USER, "")) {
            Assumptions.assumeTrue(c.isValid(2), "PostgreSQL at " + URL + " is not valid");
        } catch (SQLException e) {
            Assumptions.abort("No PostgreSQL at " + URL + ": " + e.getMessage());
        }
        String schema = "reliability_" + UUID.randomUUID().toString().substring(0, 8);
        Path logs = Files.createDirectories(Path.of("target", "abrupt-kill"));
        List<Process> processes = new ArrayList<>();
        List<URI> instances = new ArrayList<>();
        try (NatsServer nats = NatsServer.start()) {
            for (int i = 0; i < 2; i++) {
                int port = freePort();
                instances.add(URI.create("http://127.0.0.1:" + port));
                processes.add(new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                        UserService.class.getName(), "--server.port=" + port, "--server.host=127.0.0.1",
                        "--messaging.nats.servers=" + nats.url(), "--db.url=" + URL, "--db.user=" + USER,
                        "--db.schema=" + schema)
                        .redirectErrorStream(true).redirectOutput(logs.resolve("user-service-" + i + ".log").toFile())
                        .start());
            }
            try (HttpClient http = HttpClient.newHttpClient()) {
                for (URI instance : instances) {
                    eventually(Duration.ofSeconds(60), () -> assertEquals(200, http.send(
                            HttpRequest.newBuilder(instance.resolve("/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode()));
                }
            }
            try (ServiceClients clients = ServiceClients.builder().caller("gateway")
                    // Static discovery: the killed instance stays listed, as it would until an orchestrator notices.
                    .discovery(name -> instances)
                    .resilience(Resilience.create(
                            b -> b.defaults(d -> d.timeout(t -> t.duration(Duration.ofSeconds(5))))))
                    .build()) {
                UserApi users = clients.create(UserApi.class, UserApi.SERVICE);
                User ada = users.register(new NewUser("Ada", "ada-" + schema + "@example.com"));
                AtomicBoolean done = new AtomicBoolean();
                AtomicInteger reads = new AtomicInteger();
                AtomicInteger writes = new AtomicInteger();
                List<Throwable> readFailures = new CopyOnWriteArrayList<>();
                List<Throwable> writeFailures = new CopyOnWriteArrayList<>();
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int worker = w;
                    workers.add(Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < 20_000 && !done.get(); i++) {
                            if (i % 3 == 0) {
                                try {
                                    users.register(new NewUser("U", "u" + worker + "-" + i + "-" + schema + "@x.org"));
                                    writes.incrementAndGet();
                                } catch (RuntimeException e) {
                                    writeFailures.add(e);
                                }
                            } else {
                                try {
                                    users.get(ada.id());
                                    reads.incrementAndGet();
                                } catch (RuntimeException e) {
                                    readFailures.add(e);
                                }
                            }
                        }
                    }));
                }
                eventually(Duration.ofSeconds(60), () -> assertEquals(true, reads.get() + writes.get() > 500));
                processes.get(1).destroyForcibly();
                processes.get(1).waitFor(10, TimeUnit.SECONDS);
                int atKill = reads.get() + writes.get();
                eventually(Duration.ofSeconds(60), () -> assertEquals(true, reads.get() + writes.get() > atKill + 1000));
                done.set(true);
                for (Thread t : workers) {
                    t.join(Duration.ofMinutes(1));
                }
                Measured.scenario("abrupt-kill").put("instances", 2).put("reads-ok", reads.get())
                        .put("reads-failed", readFailures.size()).put("writes-ok", writes.get())
                        .put("writes-failed (not idempotent, not retried)", writeFailures.size())
                        .put("first-write-failure", writeFailures.isEmpty() ? "-" : writeFailures.getFirst().toString())
                        .put("first-read-failure", readFailures.isEmpty() ? "-" : readFailures.getFirst().toString())
                        .print();
                assertEquals(List.of(), readFailures, "idempotent reads fail over");
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
            try (Connection c = DriverManager.getConnection(URL, USER, "");
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
