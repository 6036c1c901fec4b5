package dev.flotilla.benchmarks.suite;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.flotilla.sample.gateway.GatewayService;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.InventoryService;
import dev.flotilla.sample.inventory.api.InventoryApi.Stock;
import dev.flotilla.sample.order.OrderService;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderRejected;
import dev.flotilla.sample.product.ProductService;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;

/**
 * Scenario 13: the sample shop's orders end to end. The five services of the shop in this JVM with a real nats-server
 * (a {@link TestSystem}, H2 in memory), and {@value #SHOPPERS} shoppers placing one-unit orders back to back through
 * the gateway for a window; every order runs the order saga (user, prices, the order stored with its event through
 * the outbox, the inventory's reservation, the payment, the confirmation). Confirmations are seen as the
 * {@code orders.order-confirmed.v1} events arrive on a plain NATS subscription.
 *
 * <p>Per round (after one round not counted, which warms the JVM), it writes {@code MEASURE} lines for the suite's
 * rows: {@code 13.throughput} (confirmed orders per second over the window; beside it the orders accepted per second),
 * {@code 13.p50} and {@code 13.p99} (from sending the order to seeing it confirmed; beside it the same percentile of
 * the place call's own answer), and {@code 13.drain} (from the load stopping to the last confirmation; beside it the
 * p50 confirmation latency of that round).
 *
 * <pre>
 * java -XX:+UseG1GC -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.suite.ShopOrdersScenario [ROUNDS] [WINDOW_MS]
 * </pre>
 */
public final class ShopOrdersScenario {
    /** The shoppers placing orders at once: {@value}. */
    static final int SHOPPERS = 16;
    private static final Pattern ORDER_ID = Pattern.compile("\"orderId\"\\s*:\\s*\"([^\"]+)\"");

    private ShopOrdersScenario() {
    }

    /** One round's figures. */
    private record Figures(double confirmedPerSecond, double acceptedPerSecond, double p50, double p99,
                           double placeP50, double placeP99, double drainMillis, int accepted, int confirmed,
                           int rejected, int refused) {
    }

    /**
     * Runs the rounds and prints the figures.
     *
     * @param args the number of counted rounds (default 4), then the window in milliseconds (default 10,000)
     * @throws Exception when the shop cannot be run
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        long window = args.length > 1 ? Long.parseLong(args[1]) : 10_000;
        String run = UUID.randomUUID().toString().substring(0, 8);
        TestSystem.Builder builder = TestSystem.builder().userTokens();
        builder.addService(new UserService(), db("user-service", run));
        builder.addService(new ProductService(), db("product-service", run));
        builder.addService(new InventoryService(), db("inventory-service", run));
        builder.addService(new OrderService(), db("order-service", run));
        builder.addService(new GatewayService(), db("gateway", run));
        try (TestSystem system = builder.build()) {
            system.start();
            ShopApi shop = system.client(ShopApi.class, ShopApi.SERVICE,
                                         system.userToken("bench-operator", ShopApi.OPERATOR));
            Map<String, Long> finished = new ConcurrentHashMap<>();
            Set<String> rejected = ConcurrentHashMap.newKeySet();
            try (Connection nats = Nats.connect(system.natsUrl().orElseThrow())) {
                Dispatcher dispatcher = nats.createDispatcher(message -> {
                    long now = System.nanoTime();
                    Matcher id = ORDER_ID.matcher(new String(message.getData(), StandardCharsets.UTF_8));
                    String text = new String(message.getData(), StandardCharsets.UTF_8);
                    if (id.find() && finished.putIfAbsent(id.group(1), now) == null
                            && message.getSubject().equals(OrderRejected.SUBJECT)) {
                        rejected.add(id.group(1));
                        System.err.println("shop orders: rejected " + text);
                    }
                });
                dispatcher.subscribe(OrderConfirmed.SUBJECT);
                dispatcher.subscribe(OrderRejected.SUBJECT);
                nats.flush(Duration.ofSeconds(5));
                for (int round = 0; round <= rounds; round++) {
                    Figures f = round(shop, finished, rejected, round == 0 ? Math.min(window, 3_000) : window);
                    System.err.printf(Locale.ROOT, "shop orders round %d%s: %d accepted, %d confirmed, %d rejected, "
                                              + "%d refused; %.0f confirmed/s; p50 %.1f ms, p99 %.1f ms; drain %.0f ms%n",
                                      round, round == 0 ? " (warm-up, not counted)" : "", f.accepted(), f.confirmed(),
                                      f.rejected(), f.refused(), f.confirmedPerSecond(), f.p50(), f.p99(),
                                      f.drainMillis());
                    if (round > 0) {
                        measure("13.throughput", round, f.acceptedPerSecond(), f.confirmedPerSecond());
                        measure("13.p50", round, f.placeP50(), f.p50());
                        measure("13.p99", round, f.placeP99(), f.p99());
                        measure("13.drain", round, f.p50(), f.drainMillis());
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "NOTE\t13.throughput\t%d shoppers back to back, one-unit orders, a window of "
                                  + "%d ms per round; confirmed within the window / window (raw column: orders the "
                                  + "gateway accepted per second)%n", SHOPPERS, window);
        System.out.println("NOTE\t13.p50\tfrom sending the order to seeing its orders.order-confirmed.v1 event (raw "
                                   + "column: the place call's own answer)");
        System.out.println("NOTE\t13.drain\tfrom the load stopping to the last confirmation (raw column: that round's "
                                   + "p50 confirmation latency)");
    }

    private static Map<String, String> db(String service, String run) {
        return Map.of("db.url", "jdbc:h2:mem:bench-" + service + "-" + run + ";DB_CLOSE_DELAY=-1");
    }

    private static void measure(String row, int round, double raw, double flotilla) {
        System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\t%s\t%.6f%n", row, round, "raw", raw);
        System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\t%s\t%.6f%n", row, round, "flotilla", flotilla);
    }

    private static Figures round(ShopApi shop, Map<String, Long> finished, Set<String> rejected, long window)
            throws InterruptedException {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        User user = setUp(() -> shop.registerUser(new NewUser("Bench " + tag, "bench-" + tag + "@example.com")));
        Product product = setUp(() -> shop.createProduct(new NewProduct("Widget", 1, ProductApi.MAX_INITIAL_STOCK)));
        awaitStock(shop, product.id());
        PlaceOrder order = new PlaceOrder(user.id(), List.of(new OrderLine(product.id(), 1)));
        Map<String, Long> sent = new ConcurrentHashMap<>();
        List<Long> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger refused = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(window);
        CountDownLatch done = new CountDownLatch(SHOPPERS);
        try (ExecutorService shoppers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < SHOPPERS; i++) {
                shoppers.execute(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            long at = System.nanoTime();
                            try {
                                String id = shop.placeOrder(order).id();
                                long answered = System.nanoTime();
                                sent.put(id, at);
                                answers.add(answered - at);
                            } catch (RuntimeException e) {
                                refused.incrementAndGet();
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
        }
        long stopped = System.nanoTime();
        // Every accepted order finishes (confirmed or rejected); wait for the last one, within a minute.
        long deadline = stopped + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !finished.keySet().containsAll(sent.keySet())) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        List<Double> latencies = new ArrayList<>();
        long last = stopped;
        int confirmedInWindow = 0;
        int rejectedNow = 0;
        for (Map.Entry<String, Long> e : sent.entrySet()) {
            Long at = finished.get(e.getKey());
            if (at == null) {
                continue;
            }
            last = Math.max(last, at);
            if (rejected.contains(e.getKey())) {
                rejectedNow++;
                continue;
            }
            latencies.add((at - e.getValue()) / 1e6);
            if (at <= end) {
                confirmedInWindow++;
            }
        }
        List<Double> placing = answers.stream().map(n -> n / 1e6).toList();
        double seconds = window / 1000.0;
        return new Figures(confirmedInWindow / seconds, sent.size() / seconds, percentile(latencies, 50),
                           percentile(latencies, 99), percentile(placing, 50), percentile(placing, 99),
                           (last - stopped) / 1e6, sent.size(), latencies.size(), rejectedNow, refused.get());
    }

    /** A set-up call, tried again when the gateway or a service is slow to answer on a busy machine. */
    private static <T> T setUp(java.util.function.Supplier<T> call) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (attempt == 10) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    private static void awaitStock(ShopApi shop, String productId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                Stock stock = shop.stock(productId);
                if (stock.available() == ProductApi.MAX_INITIAL_STOCK) {
                    return;
                }
            } catch (RuntimeException e) {
                // not known to the inventory yet
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new IllegalStateException("The stock of product " + productId + " never reached the inventory");
    }

    private static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
