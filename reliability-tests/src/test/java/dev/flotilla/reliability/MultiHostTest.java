package dev.flotilla.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsDiscovery;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.resilience.Resilience;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestIdentities;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample shop deployed on separate hosts: Linux network namespaces on a bridge of their own ({@link
 * TestNetwork}), each running one process as the deployment files run it: the jar the build packages, started with
 * {@code java -jar}, bound to all interfaces with no advertised host set, configured by the same arguments
 * ({@link #DEPLOYED_SETTINGS}) and environment variables ({@link #DEPLOYED_ENVIRONMENT}: the NATS servers and the
 * login). A three-node NATS cluster with JetStream on three hosts, from the deployments' own config file
 * ({@value #NATS_CONFIG}) with a login, streams at three replicas; the gateway, product, inventory and order services
 * on a host each; two user-service instances on two more hosts sharing one database (an H2 server on a database
 * host). The test places orders through the gateway from the root namespace while it kills the host of the NATS node
 * that leads the orders stream, then the host of one user-service instance (SIGKILL, then its link removed, so its
 * address answers nothing), and measures what the shop took and completed. docs/deployment.md has the figures.
 *
 * <p>Runs where network namespaces can be made (Linux, root, iproute2: CI) and is skipped elsewhere, saying why.
 */
class MultiHostTest {
    /** The setting the shop's streams are declared with on a cluster; the deployment files carry it too. */
    static final String REPLICAS_SETTING = "--events.stream-replicas=3";
    /**
     * The ack wait of the durable consumers: events pulled by a consumer on a killed node's connection come again
     * after it. The deployment files carry it too.
     */
    static final String ACK_WAIT_SETTING = "--events.ack-wait=PT5S";
    /** The replicas of the order sagas' key-value bucket on a cluster; the deployment files carry it too. */
    static final String SAGA_REPLICAS_SETTING = "--sagas.replicas=3";
    /** The arguments every service of the test and of the deployment files runs with. */
    static final List<String> DEPLOYED_SETTINGS = List.of(REPLICAS_SETTING, ACK_WAIT_SETTING, SAGA_REPLICAS_SETTING);
    /** The environment variables every service of the test and of the deployment files gets: NATS and its login. */
    static final List<String> DEPLOYED_ENVIRONMENT = List.of("MESSAGING_NATS_SERVERS", "MESSAGING_NATS_USER",
                                                             "MESSAGING_NATS_PASSWORD");
    /** The NATS configuration file of the deployments, which the test's cluster runs with. */
    static final String NATS_CONFIG = "deploy/nats/nats.conf";

    private static final List<String> SERVICES = List.of("user-service", "product-service", "inventory-service",
                                                         "order-service", "gateway");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private static Reactor reactor;

    @BeforeAll
    static void hostsAndJars() {
        TestNetwork.unavailable().ifPresent(reason -> Assumptions.abort("no separate hosts here: " + reason
                + "; run as root on Linux with iproute2 (CI does)"));
        reactor = Reactor.load();
        for (String service : SERVICES) {
            Assumptions.assumeTrue(Files.exists(reactor.jar(service)), "the jar of " + service + " is not built ("
                    + reactor.jar(service) + "): run with 'verify', which packages the services first");
        }
    }

    private static Path logs(String test) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "multi-host", test));
        try (var old = Files.list(dir)) {
            for (Path log : old.toList()) {
                Files.delete(log);
            }
        }
        return dir;
    }

    /** {@code java -jar} of a service, with the JVM flags of a small container and the given settings. */
    private static List<String> javaJar(String service, List<String> settings) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-jar", reactor.jar(service).toString()));
        command.addAll(settings);
        return command;
    }

    @Test
    void onAHostWithLoopbackOnlyAServiceBoundToAllInterfacesRefusesToStartAndOneBoundToLoopbackAdvertisesIt()
            throws Exception {
        Path logs = logs("loopback-only");
        try (TestNetwork network = TestNetwork.create()) {
            TestNetwork.Host alone = network.isolatedHost("alone");
            Path refusedLog = logs.resolve("all-interfaces.log");
            Path loopbackLog = logs.resolve("loopback.log");
            Process refused = alone.start(refusedLog, javaJar("user-service", List.of()));
            Process loopback = alone.start(loopbackLog, javaJar("user-service", List.of(
                    "--server.host=127.0.0.1", "--messaging.transport=in-jvm", "--server.port=8091")));
            try {
                assertTrue(refused.waitFor(60, TimeUnit.SECONDS), "the service bound to all interfaces stops");
                assertEquals(1, refused.exitValue());
                String why = Files.readString(refusedLog);
                assertTrue(why.contains("Service 'user-service' listens on all interfaces (server.host 0.0.0.0) but "
                                                + "no network interface other than loopback is up")
                                   && why.contains("set server.advertised-host"), why);
                eventually(Duration.ofSeconds(60), () -> assertTrue(
                        Files.readString(loopbackLog).contains("ready at http://127.0.0.1:8091"),
                        Files.readString(loopbackLog)));
                Measured.scenario("multi-host-loopback-only-host").put("bound-to-all-interfaces", "refused, exit 1")
                        .put("bound-to-loopback", "advertises http://127.0.0.1:8091").print();
            } finally {
                refused.destroyForcibly();
                loopback.destroyForcibly();
            }
        }
    }

    @Test
    void theShopOnSeparateHostsKeepsTakingAndCompletingOrdersWhileANatsNodeAndAServiceInstanceAreKilled()
            throws Exception {
        long began = System.nanoTime();
        Path logs = logs("shop");
        try (TestNetwork network = TestNetwork.create()) {
            List<TestNetwork.Host> natsHosts = List.of(network.host("nats-1"), network.host("nats-2"),
                                                       network.host("nats-3"));
            TestNetwork.Host db = network.host("db");
            Map<String, TestNetwork.Host> hosts = new LinkedHashMap<>();
            for (String name : List.of("user-service-1", "user-service-2", "product-service", "inventory-service",
                                       "order-service", "gateway")) {
                hosts.put(name, network.host(name));
            }
            String natsUser = "shop";
            // Starts with a letter: nats-server reads a variable whose value starts with digits as a number or a date.
            String natsPassword = "p" + java.util.UUID.randomUUID().toString().replace("-", "");
            try (NatsCluster cluster = NatsCluster.start(natsHosts, reactor.root().resolve(NATS_CONFIG),
                                                         Map.of("NATS_USER", natsUser, "NATS_PASSWORD", natsPassword));
                 Messaging probe = Messaging.builder().serviceName("multi-host-test")
                         .nats(NatsSettings.builder().servers(cluster.urls()).userInfo(natsUser, natsPassword).build()).build();
                 JetStreamView nats = new JetStreamView(cluster.urls(), natsUser, natsPassword)) {
                // The cluster elects its JetStream meta leader once the routes are up: start the services after.
                eventually(Duration.ofSeconds(30), () -> probe.declareStream(StreamDefinition.builder("MULTIHOST")
                        .addSubject("multihost.>").replicas(3).build()));
                long clusterReadyAfter = System.nanoTime() - began;
                Map<String, String> environment = Map.of(DEPLOYED_ENVIRONMENT.get(0), String.join(",", cluster.urls()),
                                                         DEPLOYED_ENVIRONMENT.get(1), natsUser,
                                                         DEPLOYED_ENVIRONMENT.get(2), natsPassword);
                // Each service's identity (its key, the others' public keys) and the users' identity provider, in
                // its environment as a deployment hands them over (here a test issuer's keys instead of a JWKS URL).
                TestIdentities identities = TestIdentities.generate(SERVICES);
                Process database = db.start(logs.resolve("db.log"), List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", h2Jar().toString(),
                        "org.h2.tools.Server", "-tcp", "-tcpAllowOthers", "-tcpPort", "9092", "-ifNotExists"));
                Map<String, Process> processes = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, TestNetwork.Host> host : hosts.entrySet()) {
                        String service = host.getKey().replaceAll("-\\d$", "");
                        List<String> settings = new ArrayList<>(DEPLOYED_SETTINGS);
                        if (service.equals("user-service")) {
                            // Two instances, one database: on the database host.
                            settings.add("--db.url=jdbc:h2:tcp://" + db.address() + ":9092/mem:users;DB_CLOSE_DELAY=-1");
                        }
                        Map<String, String> serviceEnvironment = new LinkedHashMap<>(environment);
                        serviceEnvironment.putAll(identities.environment(service));
                        processes.put(host.getKey(), host.getValue().start(logs.resolve(host.getKey() + ".log"),
                                                                           javaJar(service, settings),
                                                                           serviceEnvironment));
                    }
                    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
                        for (Map.Entry<String, TestNetwork.Host> host : hosts.entrySet()) {
                            URI ready = URI.create("http://" + host.getValue().address() + ":"
                                    + reactor.port(host.getKey().replaceAll("-\\d$", "")) + "/health/ready");
                            eventually(READY_TIMEOUT, () -> assertEquals(200, http.send(
                                    HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode(), ready.toString()));
                        }
                    }
                    long readyAfter = System.nanoTime() - began;

                    // Discovery hands out each instance at its own host's address, never loopback.
                    NatsDiscovery discovery = NatsDiscovery.create(probe, Duration.ofSeconds(1));
                    Map<String, List<URI>> advertised = new LinkedHashMap<>();
                    for (String service : SERVICES) {
                        List<URI> expected = hosts.entrySet().stream()
                                .filter(h -> h.getKey().replaceAll("-\\d$", "").equals(service))
                                .map(h -> URI.create("http://" + h.getValue().address() + ":" + reactor.port(service)))
                                .sorted().toList();
                        eventually(Duration.ofSeconds(10), () -> assertEquals(expected, discovery.lookup(service)));
                        advertised.put(service, expected);
                    }

                    URI gateway = URI.create("http://" + hosts.get("gateway").address() + ":" + reactor.port("gateway"));
                    String operator = identities.userToken("shop-operator", ShopApi.OPERATOR);
                    try (ServiceClients clients = ServiceClients.builder().caller("multi-host-test")
                            .userToken(() -> operator)
                            .discovery(name -> List.of(gateway))
                            .resilience(Resilience.create(b -> b.defaults(
                                    d -> d.timeout(t -> t.duration(Duration.ofSeconds(10))))))
                            .build()) {
                        ShopApi shop = clients.create(ShopApi.class, ShopApi.SERVICE);
                        User user = eventually30(() -> SampleShop.user(shop));
                        Product product = eventually30(() -> SampleShop.product(shop, 100, 100_000));
                        try (OrderLoad load = OrderLoad.start(shop, user, product)) {
                            load.awaitConfirmed(10, Duration.ofSeconds(30));

                            String leader = streamLeader(nats, "ORDERS");
                            int leaderNode = cluster.indexOf(leader);
                            OrderLoad.Kill natsKill = load.kill(leader + "'s host (leads ORDERS)",
                                                                () -> {
                                                                    cluster.kill(leaderNode);
                                                                    network.unplug(natsHosts.get(leaderNode));
                                                                });
                            load.awaitRecovery(natsKill, Duration.ofSeconds(45));
                            load.awaitPlacedAfterRecovery(natsKill, 20, Duration.ofSeconds(30));

                            Process doomed = processes.get("user-service-2");
                            OrderLoad.Kill serviceKill = load.kill("user-service-2's host", () -> {
                                doomed.destroyForcibly();
                                waitFor(doomed);
                                network.unplug(hosts.get("user-service-2"));
                            });
                            load.awaitRecovery(serviceKill, Duration.ofSeconds(30));
                            load.awaitPlacedAfterRecovery(serviceKill, 20, Duration.ofSeconds(30));
                            eventually(Duration.ofSeconds(15), () -> assertEquals(
                                    advertised.get("user-service").subList(0, 1), discovery.lookup("user-service")));

                            OrderLoad.Figures figures = load.finish(Duration.ofSeconds(30));
                            // Orders the client was told failed (the gateway's call timed out) that the order-service
                            // stored and completed all the same: every order of the user, by the gateway's history.
                            Object refusedButPlaced;
                            try {
                                List<String> history = new ArrayList<>();
                                eventually(Duration.ofSeconds(20), () -> {
                                    history.clear();
                                    shop.orderHistory(user.id()).forEach(o -> history.add(o.orderId()));
                                    assertTrue(history.containsAll(load.accepted()), "the history has every order");
                                });
                                refusedButPlaced = history.stream().filter(id -> !load.accepted().contains(id)).count();
                            } catch (AssertionError e) {
                                refusedButPlaced = "unknown (" + e.getMessage() + ")";
                            }
                            Measured measured = Measured.scenario("multi-host-shop")
                                    .put("hosts", 3 + 1 + hosts.size()).put("nats-nodes", 3)
                                    .put("stream-replicas", replicas(nats))
                                    .put("advertised", advertised.values())
                                    .put("cluster-ready-after-ms", clusterReadyAfter / 1_000_000)
                                    .put("services-ready-after-ms", readyAfter / 1_000_000);
                            figures.putInto(measured);
                            measured.put("refused-but-placed-anyway", refusedButPlaced);
                            measured.put("test-ms", (System.nanoTime() - began) / 1_000_000).print();
                            assertEquals(0, figures.lost(), "every order the gateway accepted was completed");
                            assertTrue(figures.recovered(), "the shop completed orders again after each kill");
                        }
                    }
                } finally {
                    processes.values().forEach(Process::destroyForcibly);
                    database.destroyForcibly();
                }
            }
        }
    }

    /** The H2 jar the user-service ships with, to run the database host's TCP server. */
    private static Path h2Jar() throws IOException {
        try (var jars = Files.list(reactor.dir("user-service").resolve("target/lib"))) {
            return jars.filter(p -> p.getFileName().toString().matches("h2-[0-9.]+\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no h2 jar in user-service's target/lib"));
        }
    }

    /** A plain jnats connection, to ask the cluster what Flotilla's API does not show: stream leaders, replicas. */
    private record JetStreamView(Connection connection) implements AutoCloseable {
        JetStreamView(List<String> urls, String user, String password) throws IOException, InterruptedException {
            this(Nats.connect(new Options.Builder().servers(urls.toArray(String[]::new)).userInfo(user, password)
                                      .maxReconnects(-1).build()));
        }

        io.nats.client.JetStreamManagement jetStreamManagement() throws IOException {
            return connection.jetStreamManagement();
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String streamLeader(JetStreamView nats, String stream) throws Exception {
        List<String> leader = new ArrayList<>(1);
        eventually(Duration.ofSeconds(10), () -> {
            StreamInfo info = nats.jetStreamManagement().getStreamInfo(stream);
            assertTrue(info.getClusterInfo() != null && info.getClusterInfo().getLeader() != null,
                       stream + " has a leader");
            leader.clear();
            leader.add(info.getClusterInfo().getLeader());
        });
        return leader.getFirst();
    }

    /** Each of the shop's streams with its replicas, as the cluster reports them. */
    private static Map<String, Integer> replicas(JetStreamView nats) throws IOException, JetStreamApiException {
        Map<String, Integer> replicas = new java.util.TreeMap<>();
        for (String stream : nats.jetStreamManagement().getStreamNames()) {
            if (!stream.equals("MULTIHOST")) {
                replicas.put(stream, nats.jetStreamManagement().getStreamInfo(stream).getConfiguration().getReplicas());
            }
        }
        return replicas;
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> T eventually30(java.util.function.Supplier<T> step) {
        List<T> result = new ArrayList<>(1);
        eventually(Duration.ofSeconds(30), () -> {
            result.clear();
            result.add(step.get());
        });
        return result.getFirst();
    }
}
