package dev.flotilla.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flotilla.core.ServiceHandle;
import dev.flotilla.core.ServiceState;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.resilience.Resilience;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.Faults;
import dev.flotilla.testkit.TestSystem;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures survived over HTTP: two instances of the sample's user-service behind client-side load balancing; one
 * stopped gracefully under steady load, and a downstream that answers 503 or too slowly, behind circuit breakers and
 * a retry budget.
 */
class HttpResilienceTest {
    private static final String DB = "jdbc:h2:mem:user-service-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder()
            .addService(new UserService(), instanceConfig())
            .addService(new UserService(), instanceConfig())
            .build();

    private static Map<String, String> instanceConfig() {
        Map<String, String> config = new HashMap<>();
        // Both instances share one database, as two replicas of a service would.
        config.put("db.url", DB);
        // Readiness goes down for this long before the server stops taking connections.
        config.put("shutdown.grace-period", "PT1S");
        return config;
    }

    /** A caller's clients with the user-service's resilience settings (a short timeout and breaker delay). */
    private static ServiceClients clients() {
        Config resilience = Config.just(ConfigSources.create(Map.of(
                "user-service.timeout.duration", "PT0.5S",
                "user-service.circuit-breaker.open-delay", "PT1S")));
        return ServiceClients.builder().caller("gateway")
                .resilience(Resilience.create(resilience))
                .discovery(name -> SYSTEM.instances(name).stream()
                        .filter(h -> h.state() == ServiceState.READY).map(ServiceHandle::uri).toList())
                .build();
    }

    @AfterEach
    void bothInstancesRunAgain() {
        SYSTEM.faults(UserApi.SERVICE).clear();
        SYSTEM.instances(UserApi.SERVICE).forEach(ServiceHandle::start);
    }

    @Test
    void anInstanceStoppedGracefullyUnderLoadFailsNoRequest() throws Exception {
        try (ServiceClients clients = clients()) {
            UserApi users = clients.create(UserApi.class, UserApi.SERVICE);
            User ada = users.register(new NewUser("Ada", "graceful@example.com"));
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicInteger reads = new AtomicInteger();
            AtomicInteger writes = new AtomicInteger();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            // Bounded: each worker stops after this many requests even if the scenario did not end.
            int perWorker = 5_000;
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                workers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < perWorker && !done.get(); i++) {
                        try {
                            if (i % 3 == 0) {
                                users.register(new NewUser("U" + worker + "-" + i, "u" + worker + "-" + i + "@x.org"));
                                writes.incrementAndGet();
                            } else {
                                assertEquals(ada, users.get(ada.id()));
                                reads.incrementAndGet();
                            }
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }
                }));
            }
            eventually(() -> assertTrue(reads.get() + writes.get() > 100));
            ServiceHandle second = SYSTEM.instances(UserApi.SERVICE).get(1);
            int atStop = reads.get() + writes.get();
            second.stop();
            int afterStop = reads.get() + writes.get();
            eventually(() -> assertTrue(reads.get() + writes.get() > afterStop + 200));
            done.set(true);
            for (Thread t : workers) {
                t.join(Duration.ofMinutes(2));
            }
            Measured.scenario("graceful-stop-under-load").put("instances", 2)
                    .put("requests", reads.get() + writes.get() + failures.size())
                    .put("reads", reads.get()).put("writes (not retried)", writes.get())
                    .put("completed-during-stop", afterStop - atStop)
                    .put("completed-after-stop", reads.get() + writes.get() - afterStop)
                    .put("failed", failures.size())
                    .put("first-failure", failures.isEmpty() ? "-" : failures.getFirst().toString()).print();
            assertEquals(List.of(), failures);
            assertEquals(ServiceState.STOPPED, second.state());
        }
    }

    @Test
    void aFailingDownstreamOpensTheBreakerCallersFailFastAndItClosesAfterRecovery() {
        breakerScenario("downstream-503", faults -> faults.failRequests(100_000, 503));
    }

    @Test
    void aSlowDownstreamOpensTheBreakerCallersFailFastAndItClosesAfterRecovery() {
        breakerScenario("downstream-slow", faults -> faults.delayRequests(100_000, Duration.ofSeconds(2)));
    }

    private void breakerScenario(String name, java.util.function.Consumer<Faults> fault) {
        try (ServiceClients clients = clients()) {
            UserApi users = clients.create(UserApi.class, UserApi.SERVICE);
            User ada = users.register(new NewUser("Ada", name + "@example.com"));
            Faults faults = SYSTEM.faults(UserApi.SERVICE);
            fault.accept(faults);
            int requests = 60;
            List<Long> latenciesMicros = new ArrayList<>();
            long began = System.nanoTime();
            int failed = 0;
            for (int i = 0; i < requests; i++) {
                long t0 = System.nanoTime();
                try {
                    users.get(ada.id());
                } catch (RuntimeException e) {
                    failed++;
                }
                latenciesMicros.add((System.nanoTime() - t0) / 1000);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            int reachedDownstream = faults.injected();
            int beforeLast = faults.injected();
            for (int i = 0; i < 20; i++) {
                try {
                    users.get(ada.id());
                } catch (RuntimeException e) {
                    failed++;
                }
            }
            int whileOpen = faults.injected() - beforeLast;
            List<Long> lastTwenty = new ArrayList<>(latenciesMicros.subList(requests - 20, requests));
            Collections.sort(lastTwenty);
            faults.clear();
            long recovering = System.nanoTime();
            eventually(Duration.ofSeconds(10), () -> assertDoesNotThrow(() -> users.get(ada.id())));
            long closedAfterMs = (System.nanoTime() - recovering) / 1_000_000;
            // Every request is one first attempt at most; anything beyond is a retry, paid from the budget:
            // 20% of requests plus 10 a second.
            int retries = Math.max(0, reachedDownstream - requests);
            double budget = 0.2 * requests + 10 * Math.ceil(seconds);
            Measured.scenario(name).put("requests", requests).put("failed", failed)
                    .put("downstream-attempts", reachedDownstream).put("retries", retries)
                    .put("retry-budget", budget)
                    .put("downstream-attempts-while-open (20 calls)", whileOpen)
                    .put("fail-fast-median-us", lastTwenty.get(10)).put("fail-fast-max-us", lastTwenty.getLast())
                    .put("attempt-timeout-ms", 500).put("closed-again-after-recovery-ms", closedAfterMs).print();
            assertTrue(reachedDownstream < requests, "the breakers shielded the downstream: " + reachedDownstream);
            assertEquals(0, whileOpen, "an open breaker sends nothing downstream");
            assertTrue(retries <= budget, retries + " retries within the budget " + budget);
        }
    }
}
