package dev.flotilla.sample.shop;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.resilience.Resilience;
import dev.flotilla.sample.gateway.GatewayService;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.InventoryService;
import dev.flotilla.sample.order.OrderService;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.product.ProductService;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestIdentities;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The five services as five {@code java} processes against one nats-server, finding each other through NATS
 * discovery, as they would be deployed; an order placed through the gateway completes.
 */
class SeparateProcessesTest {

    @Test
    void fiveProcessesOnOneNatsServerCompleteAnOrder() throws Exception {
        Assumptions.assumeTrue(NatsServer.findBinary().isPresent(), "needs nats-server on the PATH");
        Map<Class<?>, Integer> services = new LinkedHashMap<>();
        for (Class<?> main : List.of(UserService.class, ProductService.class, InventoryService.class,
                                     OrderService.class, GatewayService.class)) {
            services.put(main, freePort());
        }
        // A key per service, handed over in its environment, and users the services accept.
        Map<Class<?>, String> names = Map.of(UserService.class, "user-service", ProductService.class, "product-service",
                                             InventoryService.class, "inventory-service",
                                             OrderService.class, "order-service", GatewayService.class, "gateway");
        TestIdentities identities = TestIdentities.generate(names.values());
        Path logs = Files.createDirectories(Path.of("target", "separate-processes"));
        List<Process> processes = new ArrayList<>();
        try (NatsServer nats = NatsServer.start()) {
            for (Map.Entry<Class<?>, Integer> service : services.entrySet()) {
                String name = service.getKey().getSimpleName();
                ProcessBuilder process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                        service.getKey().getName(),
                        "--server.port=" + service.getValue(), "--server.host=127.0.0.1",
                        "--messaging.nats.servers=" + nats.url(), "--shutdown.grace-period=PT0S",
                        // Cold JVMs on a busy machine: the first calls may be slow, so be patient.
                        "--resilience.defaults.timeout.duration=PT10S",
                        "--resilience.product-service.timeout.duration=PT10S")
                        .redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile());
                process.environment().putAll(identities.environment(names.get(service.getKey())));
                processes.add(process.start());
            }
            URI gateway = URI.create("http://127.0.0.1:" + services.get(GatewayService.class));
            for (int port : services.values()) {
                eventually(Duration.ofSeconds(60), () -> assertEquals(200, Shop.get(
                        URI.create("http://127.0.0.1:" + port + "/health/ready")).statusCode()));
            }
            String operator = identities.userToken("shop-operator", ShopApi.OPERATOR);
            try (ServiceClients clients = ServiceClients.builder().caller("test").userToken(() -> operator)
                    .discovery(name -> List.of(gateway))
                    .resilience(Resilience.create(
                            b -> b.defaults(d -> d.timeout(t -> t.duration(Duration.ofSeconds(20))))))
                    .build()) {
                ShopApi shop = clients.create(ShopApi.class, ShopApi.SERVICE);
                // The gateway finds the other services through NATS discovery, which may take a moment.
                eventually(Duration.ofSeconds(30), () -> Shop.user(shop));
                User user = Shop.user(shop);
                Product product = eventually30(() -> Shop.product(shop, 700, 2));
                Order placed = shop.placeOrder(Shop.order(user, product, 2));
                eventually(Duration.ofSeconds(20), () -> assertEquals(Status.CONFIRMED,
                                                                      shop.order(placed.id()).status()));
                assertEquals(1400, shop.order(placed.id()).totalCents());
                eventually(() -> assertEquals(1, shop.orderHistory(user.id()).size()));
            }
            stop(processes);
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    private static void stop(List<Process> processes) throws InterruptedException {
        for (Process process : processes) {
            process.destroy();   // SIGTERM: a graceful stop
        }
        for (Process process : processes) {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
