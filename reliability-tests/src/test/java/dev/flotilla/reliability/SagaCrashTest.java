package dev.flotilla.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.core.http.ServiceTimeoutException;
import dev.flotilla.resilience.Resilience;
import dev.flotilla.sample.gateway.GatewayService;
import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.inventory.InventoryService;
import dev.flotilla.sample.order.OrderService;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.product.ProductService;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestIdentities;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash suite: the five sample services as separate {@code java} processes (two order-service instances), each
 * on a PostgreSQL database of its own made for the run, and one nats-server with a JetStream store; a steady flow of
 * orders through the gateway while, at random moments, a random participant (a service instance or the nats-server)
 * is killed with SIGKILL and restarted after a short random pause. Afterwards every order must reach a final state
 * within a stated bound, and the ledgers that can see a double effect must balance ({@link ShopLedgers}).
 *
 * <p>Runs in the normal build at CI size ({@value #DEFAULT_ORDERS} orders, {@value #DEFAULT_KILLS} kills); larger with
 * {@code -Dcrash.orders=N -Dcrash.kills=K}, and again with {@code -Dcrash.seed=S} (the seed is printed). Skipped
 * when there is no PostgreSQL at 127.0.0.1:5432 or no nats-server.
 */
class SagaCrashTest {
    static final int DEFAULT_ORDERS = 200;
    static final int DEFAULT_KILLS = 10;
    /** Orders per second the shoppers try to place (accepted or not). */
    static final double DEFAULT_RATE = 8;
    /** The server's URL without a database: each service's database name is appended. */
    private static final String PG = System.getProperty("crash.postgres.url", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String PG_USER = System.getProperty("crash.postgres.user", "postgres");

    /** Short settings for the run, so that a crashed owner's sagas move on within seconds. */
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration SWEEP = Duration.ofMillis(250);
    private static final Duration RETRY_MAX_DELAY = Duration.ofSeconds(1);
    private static final Duration RESERVE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ACK_WAIT = Duration.ofSeconds(2);
    private static final Duration RECONNECT_MAX_WAIT = Duration.ofSeconds(1);
    /**
     * How long after the last restart (with the load over) every order may take to be final and seen so by the
     * read model. A saga whose owner died is taken over when its lease ends (+ one sweep); the step it was on runs
     * again: an action or call retries at most {@link #RETRY_MAX_DELAY} apart within its step timeout, a command
     * waits at most the reserve timeout for its reply, then the compensations run against services that are all up.
     * The outcome reaches the read model through the outbox relay and the gateway's consumer, which sees a message
     * that was in flight on a killed instance again after the ack wait; a client reconnects within its max wait.
     */
    static final Duration SETTLE_BOUND = LEASE.plus(SWEEP).plus(RETRY_MAX_DELAY).plus(max(RESERVE_TIMEOUT, STEP_TIMEOUT))
            .plus(ACK_WAIT.multipliedBy(2)).plus(RECONNECT_MAX_WAIT).plus(Duration.ofSeconds(5));

    private static final List<String> SERVICES = List.of("user-service", "product-service", "inventory-service",
                                                         "order-service", "gateway");
    private static final String NATS = "nats-server";
    private static final java.util.regex.Pattern SAGA_STATE = java.util.regex.Pattern.compile(
            "\"state\"\\s*:\\s*\"(\\w+)\"");

    @Test
    void everyOrderSettlesAndTheLedgersBalanceWhileParticipantsAreKilled() throws Exception {
        Assumptions.assumeTrue(NatsServer.findBinary().isPresent(), "crash suite skipped: needs nats-server on the PATH"
                + " (or " + NatsServer.BINARY_ENV + ")");
        try (Connection c = DriverManager.getConnection(PG + "postgres", PG_USER, "")) {
            Assumptions.assumeTrue(c.isValid(2), "crash suite skipped: PostgreSQL at " + PG + " is not valid");
        } catch (SQLException e) {
            Assumptions.abort("crash suite skipped: no PostgreSQL at " + PG + " (" + e.getMessage() + ")");
        }
        int orders = Integer.getInteger("crash.orders", DEFAULT_ORDERS);
        int kills = Integer.getInteger("crash.kills", DEFAULT_KILLS);
        double rate = Double.parseDouble(System.getProperty("crash.rate", String.valueOf(DEFAULT_RATE)));
        long seed = Long.getLong("crash.seed", new SecureRandom().nextLong());
        System.out.println("[reliability] saga-crash: seed=" + seed + " (rerun with -Dcrash.seed=" + seed + "), orders="
                                   + orders + ", kills=" + kills + ", rate=" + rate + "/s, settle-bound=" + SETTLE_BOUND);
        Random random = new Random(seed);
        String run = "crash_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> databases = new LinkedHashMap<>();
        for (String service : SERVICES) {
            databases.put(service, run + "_" + service.replace("-service", "").replace('-', '_'));
        }
        Path logs = Files.createDirectories(Path.of("target", "saga-crash", run));
        long began = System.nanoTime();
        List<ServiceProcess> participants = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Should this JVM be stopped mid-run, its service processes go with it.
        Thread reaper = new Thread(() -> participants.forEach(ServiceProcess::kill));
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            createDatabases(databases.values());
            try (NatsServer nats = NatsServer.start()) {
                TestIdentities identities = TestIdentities.generate(SERVICES);
                Map<String, Class<?>> mains = Map.of("user-service", UserService.class, "product-service",
                        ProductService.class, "inventory-service", InventoryService.class, "order-service",
                        OrderService.class, "gateway", GatewayService.class);
                for (String service : SERVICES) {
                    int instances = service.equals("order-service") ? 2 : 1;
                    for (int i = 1; i <= instances; i++) {
                        String label = instances == 1 ? service : service + "-" + i;
                        participants.add(new ServiceProcess(label, mains.get(service),
                                serviceArgs(nats, databases.get(service)), identities.environment(service),
                                logs.resolve(label + ".log")));
                    }
                }
                participants.forEach(ServiceProcess::start);
                for (ServiceProcess p : participants) {
                    p.awaitReady(Duration.ofSeconds(90));
                }
                long started = System.nanoTime();
                System.out.println("[reliability] saga-crash: " + participants.size() + " service processes and "
                                           + "the nats-server ready after " + seconds(started - began) + " s");
                ServiceProcess gateway = participants.stream().filter(p -> p.label().equals("gateway")).findFirst()
                        .orElseThrow();
                String operator = identities.userToken("shop-operator", ShopApi.OPERATOR);
                try (ServiceClients clients = ServiceClients.builder().caller("crash-test").userToken(() -> operator)
                        .discovery(name -> List.of(gateway.uri()))
                        // Shoppers: no breaker of their own, so every attempt reaches the gateway (or its port).
                        .resilience(Resilience.create(b -> b.defaults(d -> d
                                .timeout(t -> t.duration(Duration.ofSeconds(10)))
                                .circuitBreaker(cb -> cb.enabled(false)))))
                        .build()) {
                    ShopApi shop = clients.create(ShopApi.class, ShopApi.SERVICE);
                    Catalogue catalogue = Catalogue.create(shop, random, db(databases.get("user-service")));
                    Map<String, Integer> kindsKilled = new TreeMap<>();
                    Load load = new Load(shop, catalogue, orders, rate, new Random(random.nextLong()));
                    KillPlan plan = KillPlan.of(kills, orders, random);
                    load.start();
                    long lastRestart = plan.run(load, participants, nats, kindsKilled, started);
                    load.awaitDone(Duration.ofMinutes(10));
                    long loadEnded = System.nanoTime();
                    long from = Math.max(lastRestart, loadEnded);
                    // Every order final, within the bound.
                    Settled settled = awaitSettled(databases, nats, load, from);
                    ShopLedgers ledgers = null;
                    List<String> violations;
                    try {
                        ledgers = ledgers(databases, catalogue);
                        violations = ledgers.violations();
                    } catch (SQLException e) {
                        violations = List.of("cannot read the ledgers: " + e.getMessage().strip());
                    }
                    ShopLedgers statuses;
                    try (Connection o = connect(databases.get("order-service"));
                         Connection g = connect(databases.get("gateway"))) {
                        statuses = ShopLedgers.readStatuses(o, g);
                    }
                    Measured.scenario("saga-crash").put("seed", seed)
                            .put("orders-attempted", load.attempts.get()).put("accepted", load.accepted.size())
                            .put("refused (then retried with a new order)", load.refusals)
                            .put("orders in the order-service", statuses.orders().size())
                            .put("by status", statuses.statusCounts())
                            .put("rejections", rejectionReasons(databases)).put("cancels", load.cancels)
                            .put("kills", kindsKilled).put("kills-per-participant", plan.perParticipant)
                            .put("load-seconds", seconds(loadEnded - started))
                            .put("settled-after-ms (from the last restart or load end)", settled.millis)
                            .put("settle-bound", SETTLE_BOUND)
                            .put("ledger-effects", ledgers == null ? "-" : ledgers.effects())
                            .put("violations", violations.size())
                            .put("total-seconds", seconds(System.nanoTime() - began)).print();
                    assertTrue(settled.ok, "every order final within " + SETTLE_BOUND + " after the last restart: "
                            + settled.problems);
                    assertEquals(List.of(), violations.subList(0, Math.min(30, violations.size())),
                                 violations.size() + " ledger violations (first 30 shown); logs in " + logs);
                    for (String kind : plan.kindsPlanned) {
                        assertTrue(kindsKilled.containsKey(kind), kind + " was killed at least once");
                    }
                    selfCheck(databases, catalogue);
                }
            }
        } finally {
            participants.forEach(ServiceProcess::kill);
            Runtime.getRuntime().removeShutdownHook(reaper);
            dropDatabases(databases.values());
        }
    }

    private static List<String> serviceArgs(NatsServer nats, String database) {
        return List.of("--messaging.nats.servers=" + nats.url(),
                       "--messaging.nats.reconnect.max-wait=" + RECONNECT_MAX_WAIT,
                       "--db.url=" + PG + database, "--db.user=" + PG_USER, "--db.pool-size=4",
                       "--shutdown.grace-period=PT0S",
                       "--resilience.defaults.timeout.duration=PT5S",
                       "--resilience.product-service.timeout.duration=PT5S",
                       "--events.ack-wait=" + ACK_WAIT,
                       "--sagas.lease=" + LEASE, "--sagas.sweep-interval=" + SWEEP,
                       "--sagas.retry.max-delay=" + RETRY_MAX_DELAY,
                       "--orders.reserve-timeout=" + RESERVE_TIMEOUT,
                       "--orders.payment-timeout=" + STEP_TIMEOUT);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The shop's users and products

    /** Users (most with ample credit, some with little) and products (most plentiful, some scarce). */
    record Catalogue(List<User> users, List<Product> products, Map<String, Integer> initialStock) {
        static Catalogue create(ShopApi shop, Random random, String userDb) throws SQLException {
            List<User> users = new ArrayList<>();
            Map<String, Long> poor = new LinkedHashMap<>();
            for (int i = 0; i < 12; i++) {
                String tag = UUID.randomUUID().toString().substring(0, 8);
                User user = retrying(() -> shop.registerUser(new NewUser("Shopper " + tag, "s-" + tag + "@example.com")));
                users.add(user);
                if (i % 4 == 0) {
                    poor.put(user.id(), 3_000L + random.nextInt(5_000)); // a few orders, then declined
                }
            }
            try (Connection c = DriverManager.getConnection(userDb, PG_USER, "");
                 var update = c.prepareStatement("UPDATE users SET credit_limit_cents = ? WHERE id = ?")) {
                for (Map.Entry<String, Long> p : poor.entrySet()) {
                    update.setLong(1, p.getValue());
                    update.setString(2, p.getKey());
                    update.addBatch();
                }
                update.executeBatch();
            }
            List<Product> products = new ArrayList<>();
            Map<String, Integer> stock = new LinkedHashMap<>();
            for (int i = 0; i < 8; i++) {
                int units = i < 2 ? 15 : 100_000;   // two scarce products run out during the run
                long price = 300 + random.nextInt(2_000);
                Product product = retrying(() -> shop.createProduct(new NewProduct("Crash " + price, price, units)));
                products.add(product);
                stock.put(product.id(), units);
            }
            for (Product product : products) {
                eventually(Duration.ofSeconds(30), () -> assertEquals(stock.get(product.id()),
                                                                      shop.stock(product.id()).available()));
            }
            return new Catalogue(users, products, stock);
        }
    }

    private static <T> T retrying(java.util.function.Supplier<T> call) {
        List<T> result = new ArrayList<>(1);
        eventually(Duration.ofSeconds(30), () -> {
            result.clear();
            result.add(call.get());
        });
        return result.getFirst();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The load

    /**
     * Shoppers placing orders through the gateway at a steady pace until {@code target} were accepted and the kill
     * plan is over. An answer that is not a success (a 503, a refused connection, a timeout) is retried with a new
     * order; an accepted order is never placed again.
     */
    static final class Load {
        private static final int SHOPPERS = 4;
        /** One accepted order in this many is cancelled once confirmed. */
        private static final int CANCEL_ONE_IN = 8;
        final AtomicInteger attempts = new AtomicInteger();
        final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Integer> refusals = new ConcurrentHashMap<>();
        final AtomicBoolean killsOver = new AtomicBoolean();
        final Map<String, Integer> cancels = new ConcurrentHashMap<>();
        private final List<Thread> cancellers = new ArrayList<>();
        private final ShopApi shop;
        private final Catalogue catalogue;
        private final int target;
        private final List<Random> randoms = new ArrayList<>();
        private final List<Thread> shoppers = new ArrayList<>();

        private final long paceMillis;

        Load(ShopApi shop, Catalogue catalogue, int target, double perSecond, Random random) {
            this.paceMillis = (long) (SHOPPERS * 1000 / perSecond);
            this.shop = shop;
            this.catalogue = catalogue;
            this.target = target;
            for (int i = 0; i < SHOPPERS; i++) {
                randoms.add(new Random(random.nextLong()));
            }
        }

        void start() {
            for (int i = 0; i < SHOPPERS; i++) {
                Random random = randoms.get(i);
                shoppers.add(Thread.ofVirtual().name("shopper-" + i).start(() -> shop(random)));
            }
        }

        private boolean more() {
            return accepted.size() < target || !killsOver.get();
        }

        private void shop(Random random) {
            while (more()) {
                long sent = System.nanoTime();
                PlaceOrder order = order(random);
                attempts.incrementAndGet();
                try {
                    String id = shop.placeOrder(order).id();
                    accepted.add(id);
                    if (random.nextInt(CANCEL_ONE_IN) == 0) {
                        synchronized (cancellers) {
                            cancellers.add(Thread.ofVirtual().name("cancel-" + id).start(() -> cancel(id)));
                        }
                    }
                } catch (RemoteProblemException e) {
                    refusals.merge(String.valueOf(e.status()), 1, Integer::sum);
                } catch (ServiceTimeoutException e) {
                    refusals.merge("timeout", 1, Integer::sum);
                } catch (RuntimeException e) {
                    refusals.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                }
                // the pace of a shopper, not a wait for something to happen
                LockSupport.parkNanos(sent + paceMillis * 1_000_000 - System.nanoTime());
            }
        }

        /**
         * A shopper changing their mind: once the order is confirmed, cancels it (the cancel-order saga: stock
         * released, payment refunded), retrying while the shop cannot answer; gives up after a while.
         */
        private void cancel(String id) {
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (System.nanoTime() - deadline < 0) {
                try {
                    Status status = shop.order(id).status();
                    if (status == Status.REJECTED || status == Status.CANCELLED) {
                        cancels.merge(status == Status.CANCELLED ? "cancelled" : "was rejected", 1, Integer::sum);
                        return;
                    }
                    if (status == Status.CONFIRMED) {
                        shop.cancelOrder(id);
                        cancels.merge("cancelled", 1, Integer::sum);
                        return;
                    }
                } catch (RemoteProblemException e) {
                    if (e.status() == 409) {
                        cancels.merge("refused 409", 1, Integer::sum);
                        return;
                    }
                } catch (RuntimeException e) {
                    // the gateway or the order-service is away: asked again below
                }
                LockSupport.parkNanos(300_000_000);   // polling the order's status, with the deadline above
            }
            cancels.merge("gave up", 1, Integer::sum);
        }

        private PlaceOrder order(Random random) {
            User user = catalogue.users().get(random.nextInt(catalogue.users().size()));
            List<Product> products = new ArrayList<>(catalogue.products());
            Collections.shuffle(products, random);
            int lines = 1 + random.nextInt(2);
            List<OrderLine> items = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                items.add(new OrderLine(products.get(i).id(), 1 + random.nextInt(3)));
            }
            return new PlaceOrder(user.id(), items);
        }

        void awaitDone(Duration timeout) throws InterruptedException {
            List<Thread> all = new ArrayList<>(shoppers);
            for (Thread shopper : shoppers) {
                if (!shopper.join(timeout)) {
                    throw new AssertionError("a shopper did not finish within " + timeout);
                }
            }
            synchronized (cancellers) {
                all.addAll(cancellers);
            }
            for (Thread shopper : all) {
                if (!shopper.join(timeout)) {
                    throw new AssertionError("a shopper did not finish within " + timeout);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The kills

    /**
     * Which participant is killed when (after how many accepted orders, plus a short delay) and how long it stays
     * down. Every kind of participant (each service and the nats-server) comes first in a random order when there
     * are enough kills, then random ones; an order-service kill picks one of its two instances.
     */
    static final class KillPlan {
        record Kill(String kind, int instance, int atOrders, long delayMillis, long downMillis) {
        }

        final List<Kill> kills = new ArrayList<>();
        final List<String> kindsPlanned = new ArrayList<>();
        final Map<String, Integer> perParticipant = new TreeMap<>();

        static KillPlan of(int count, int orders, Random random) {
            KillPlan plan = new KillPlan();
            List<String> kinds = new ArrayList<>(SERVICES);
            kinds.add(NATS);
            List<String> order = new ArrayList<>(kinds);
            Collections.shuffle(order, random);
            for (int i = 0; i < count; i++) {
                String kind = i < order.size() ? order.get(i) : kinds.get(random.nextInt(kinds.size()));
                if (i < order.size()) {
                    plan.kindsPlanned.add(kind);
                }
                int instance = kind.equals("order-service") ? 1 + random.nextInt(2) : 0;
                // Kill i falls in slot i of count + 1 equal slots of the orders; the last slot is load after it.
                int at = (int) (orders * (i + random.nextDouble()) / (count + 1));
                plan.kills.add(new Kill(kind, instance, at, random.nextInt(400), 200 + random.nextInt(1_300)));
            }
            return plan;
        }

        /**
         * Runs the plan against the load: each kill at its moment, in a thread of its own, so that one participant
         * may still be starting while another is killed. A participant is not killed again before it is back, the
         * nats-server is not killed while a service starts (a service needs NATS to start), and a service does not
         * start while the nats-server is down. Returns when every participant killed is back (its nanoTime).
         */
        long run(Load load, List<ServiceProcess> participants, NatsServer nats, Map<String, Integer> kinds,
                 long epoch) throws InterruptedException {
            java.util.concurrent.locks.ReadWriteLock natsUp = new java.util.concurrent.locks.ReentrantReadWriteLock();
            Map<String, java.util.concurrent.locks.Lock> busy = new ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicLong lastRestart = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
            List<Thread> running = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            try {
                for (Kill kill : kills) {
                    await(() -> load.accepted.size() >= kill.atOrders(), Duration.ofMinutes(3),
                          "orders accepted before the kill of " + kill.kind());
                    LockSupport.parkNanos(kill.delayMillis() * 1_000_000);   // a random moment, not a wait
                    String label = kill.kind().equals(NATS) ? NATS
                            : kill.instance() == 0 ? kill.kind() : kill.kind() + "-" + kill.instance();
                    java.util.concurrent.locks.Lock mine = busy.computeIfAbsent(label,
                            k -> new java.util.concurrent.locks.ReentrantLock());
                    running.add(Thread.ofVirtual().name("kill-" + label).start(() -> {
                        mine.lock();
                        java.util.concurrent.locks.Lock lock = label.equals(NATS) ? natsUp.writeLock()
                                : natsUp.readLock();
                        lock.lock();
                        try {
                            long at = System.nanoTime();
                            int acceptedAt = load.accepted.size();
                            if (label.equals(NATS)) {
                                nats.kill();
                                LockSupport.parkNanos(kill.downMillis() * 1_000_000); // how long it stays down
                                nats.restart();
                            } else {
                                ServiceProcess p = participants.stream().filter(s -> s.label().equals(label))
                                        .findFirst().orElseThrow();
                                p.kill();
                                LockSupport.parkNanos(kill.downMillis() * 1_000_000);
                                p.start();
                                p.awaitReady(Duration.ofSeconds(90));
                            }
                            long back = System.nanoTime();
                            lastRestart.accumulateAndGet(back, Math::max);
                            System.out.printf("[reliability] saga-crash: +%ss killed %s at %d accepted orders, "
                                                      + "down %d ms, back after %d ms%n", seconds(at - epoch), label,
                                              acceptedAt, kill.downMillis(), (back - at) / 1_000_000);
                            synchronized (kinds) {
                                kinds.merge(kill.kind(), 1, Integer::sum);
                                perParticipant.merge(label, 1, Integer::sum);
                            }
                        } catch (Throwable t) {
                            failures.add(t);
                        } finally {
                            lock.unlock();
                            mine.unlock();
                        }
                    }));
                }
                for (Thread t : running) {
                    if (!t.join(Duration.ofMinutes(3))) {
                        throw new AssertionError(t.getName() + " did not bring its participant back");
                    }
                }
            } finally {
                load.killsOver.set(true);
            }
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError("a participant did not come back: " + failures.getFirst());
                failures.forEach(error::addSuppressed);
                throw error;
            }
            return lastRestart.get();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Settling and the ledgers

    private record Settled(boolean ok, long millis, List<String> problems) {
    }

    /**
     * Waits until every order is final in the order-service, every accepted order exists, the read model agrees on
     * every order, no saga is unfinished in the order-service's saga bucket and every durable consumer has handled
     * what its stream holds; at most {@link #SETTLE_BOUND} from {@code from}.
     */
    @SuppressWarnings("try") // the NATS connection's close() may throw InterruptedException
    private static Settled awaitSettled(Map<String, String> databases, NatsServer nats, Load load, long from)
            throws Exception {
        long deadline = from + SETTLE_BOUND.toNanos();
        List<String> problems = List.of();
        Options options = new Options.Builder().server(nats.url()).connectionTimeout(Duration.ofSeconds(2))
                .maxReconnects(-1).build();
        try (io.nats.client.Connection nc = Nats.connect(options)) {
            while (true) {
                problems = new ArrayList<>();
                try {
                    ShopLedgers ledgers;
                    try (Connection orders = connect(databases.get("order-service"));
                         Connection gateway = connect(databases.get("gateway"))) {
                        ledgers = ShopLedgers.readStatuses(orders, gateway);
                    }
                    for (String id : ledgers.pending()) {
                        problemsAdd(problems, "order " + id + " PENDING");
                    }
                    List<String> accepted;
                    synchronized (load.accepted) {
                        accepted = List.copyOf(load.accepted);
                    }
                    for (String id : accepted) {
                        if (!ledgers.orders().containsKey(id)) {
                            problemsAdd(problems, "accepted order " + id + " unknown to the order-service");
                        }
                    }
                    for (String wrong : ledgers.readModelDisagreements()) {
                        problemsAdd(problems, wrong);
                    }
                    for (String saga : unfinishedSagas(nc)) {
                        problemsAdd(problems, "saga " + saga + " unfinished");
                    }
                    for (String consumer : undrainedConsumers(nc)) {
                        problemsAdd(problems, "consumer " + consumer);
                    }
                } catch (SQLException | RuntimeException e) {
                    problemsAdd(problems, e.toString());
                }
                long now = System.nanoTime();
                if (problems.isEmpty()) {
                    return new Settled(true, Math.max(0, (now - from) / 1_000_000), List.of());
                }
                if (now - deadline > 0) {
                    problems.addAll(diagnose(databases.get("order-service"), nc, problems));
                    return new Settled(false, (now - from) / 1_000_000, problems);
                }
                LockSupport.parkNanos(250_000_000);   // polling the databases, with the deadline above
            }
        }
    }

    /**
     * For a failed settle: where the events of the first few stuck orders are, in the order-service's outbox
     * (written? sent?) and in the ORDERS stream (stored?), so a report says which hop lost them.
     */
    private static List<String> diagnose(String orderDb, io.nats.client.Connection nc, List<String> problems) {
        List<String> found = new ArrayList<>();
        java.util.regex.Matcher ids = java.util.regex.Pattern.compile("order ([0-9a-f-]{36})")
                .matcher(String.join("\n", problems));
        List<String> orders = new ArrayList<>();
        while (ids.find() && orders.size() < 3) {
            orders.add(ids.group(1));
        }
        for (String id : orders) {
            try (Connection c = connect(orderDb);
                 var q = c.prepareStatement("SELECT id, message_id, subject, created_at, sent_at FROM flotilla_outbox"
                                                    + " WHERE convert_from(payload, 'UTF8') LIKE ? ORDER BY id")) {
                q.setString(1, "%" + id + "%");
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        found.add("outbox row " + r.getLong(1) + " " + r.getString(3) + " msg-id " + r.getString(2)
                                          + " created " + r.getTimestamp(4) + " sent " + r.getTimestamp(5));
                    }
                }
            } catch (SQLException e) {
                found.add("outbox of " + id + ": " + e.getMessage());
            }
            try {
                var jsm = nc.jetStreamManagement();
                for (String stream : jsm.getStreamNames()) {
                    var info = jsm.getStreamInfo(stream);
                    long first = info.getStreamState().getFirstSequence();
                    long last = info.getStreamState().getLastSequence();
                    for (long seq = first; seq <= last && last - first < 20_000; seq++) {
                        try {
                            var m = jsm.getMessage(stream, seq);
                            String data = m.getData() == null ? "" : new String(m.getData(),
                                    java.nio.charset.StandardCharsets.UTF_8);
                            if (data.contains(id)) {
                                found.add("stream " + stream + " seq " + seq + " " + m.getSubject() + " msg-id "
                                                  + (m.getHeaders() == null ? null
                                                             : m.getHeaders().getFirst("Nats-Msg-Id")));
                            }
                        } catch (JetStreamApiException e) {
                            // a deleted message
                        }
                    }
                    if (stream.startsWith("ORDERS") || info.getConfiguration().getSubjects().stream()
                            .anyMatch(sub -> sub.startsWith("orders."))) {
                        for (String consumer : jsm.getConsumerNames(stream)) {
                            var ci = jsm.getConsumerInfo(stream, consumer);
                            found.add("consumer " + stream + "/" + consumer + " delivered "
                                              + ci.getDelivered().getStreamSequence() + " ack-floor "
                                              + ci.getAckFloor().getStreamSequence() + " pending "
                                              + ci.getNumPending() + " ack-pending " + ci.getNumAckPending()
                                              + " redelivered " + ci.getRedelivered());
                        }
                    }
                }
            } catch (Exception e) {
                found.add("streams: " + e);
            }
        }
        return found;
    }

    private static void problemsAdd(List<String> problems, String problem) {
        if (problems.size() < 20) {
            problems.add(problem);
        } else if (problems.size() == 20) {
            problems.add("...");
        }
    }

    /**
     * The services' durable consumers with messages not yet handled and acknowledged: a command a saga sent (such as
     * the release of its compensation) has its effect only once its consumer has handled it, so the ledgers are read
     * once every consumer is drained.
     */
    private static List<String> undrainedConsumers(io.nats.client.Connection nc) throws Exception {
        if (nc.getStatus() != io.nats.client.Connection.Status.CONNECTED) {
            return List.of("(not connected to NATS)");
        }
        var jsm = nc.jetStreamManagement();
        List<String> undrained = new ArrayList<>();
        for (String stream : jsm.getStreamNames()) {
            if (stream.startsWith("KV_") || stream.equals("DEADLETTER")) {
                continue;
            }
            for (var ci : jsm.getConsumers(stream)) {
                if (ci.getConsumerConfiguration().getDurable() == null) {
                    continue;
                }
                if (ci.getNumPending() > 0 || ci.getNumAckPending() > 0) {
                    undrained.add(stream + "/" + ci.getName() + " pending " + ci.getNumPending() + " ack-pending "
                                          + ci.getNumAckPending() + " redelivered " + ci.getRedelivered()
                                          + " delivered " + ci.getDelivered().getStreamSequence() + " ack-floor "
                                          + ci.getAckFloor().getStreamSequence());
                }
            }
        }
        return undrained;
    }

    /** Sagas in the order-service's bucket that are not COMPLETED or FAILED; none when there is no bucket. */
    private static List<String> unfinishedSagas(io.nats.client.Connection nc) throws Exception {
        if (nc.getStatus() != io.nats.client.Connection.Status.CONNECTED) {
            return List.of("(not connected to NATS)");
        }
        KeyValue kv;
        try {
            if (!nc.keyValueManagement().getBucketNames().contains("sagas-order-service")) {
                return List.of();
            }
            kv = nc.keyValue("sagas-order-service");
        } catch (JetStreamApiException e) {
            return List.of();
        }
        List<String> unfinished = new ArrayList<>();
        for (String key : kv.keys()) {
            KeyValueEntry entry = kv.get(key);
            if (entry == null || entry.getValue() == null) {
                continue;
            }
            java.util.regex.Matcher state = SAGA_STATE.matcher(entry.getValueAsString());
            String found = state.find() ? state.group(1) : "(no state)";
            if (!found.equals("COMPLETED") && !found.equals("FAILED")) {
                unfinished.add(key + " " + found);
            }
        }
        return unfinished;
    }

    private static ShopLedgers ledgers(Map<String, String> databases, Catalogue catalogue) throws SQLException {
        try (Connection orders = connect(databases.get("order-service"));
             Connection users = connect(databases.get("user-service"));
             Connection inventory = connect(databases.get("inventory-service"));
             Connection gateway = connect(databases.get("gateway"))) {
            return ShopLedgers.read(orders, users, inventory, gateway, catalogue.initialStock());
        }
    }

    private static Map<String, Integer> rejectionReasons(Map<String, String> databases) throws SQLException {
        Map<String, Integer> reasons = new TreeMap<>();
        try (Connection c = connect(databases.get("order-service")); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT reason FROM orders WHERE status = 'REJECTED'")) {
            while (r.next()) {
                String reason = String.valueOf(r.getString(1));
                int cut = reason.indexOf(':');
                reasons.merge(cut > 0 ? reason.substring(0, cut) : reason, 1, Integer::sum);
            }
        }
        return reasons;
    }

    /**
     * The ledgers must be able to fail: a copy of one real charge and of one real reservation, added in a
     * transaction that is rolled back, must each be reported as a double effect.
     */
    private static void selfCheck(Map<String, String> databases, Catalogue catalogue) throws SQLException {
        try (Connection orders = connect(databases.get("order-service"));
             Connection users = connect(databases.get("user-service"));
             Connection inventory = connect(databases.get("inventory-service"));
             Connection gateway = connect(databases.get("gateway"))) {
            users.setAutoCommit(false);
            inventory.setAutoCommit(false);
            try {
                assertTrue(duplicateOneRow(users, "payment_effects", "kind = 'CHARGE'") == 1,
                           "a charge to copy (no order was charged?)");
                List<String> v = ShopLedgers.read(orders, users, inventory, gateway, catalogue.initialStock())
                        .violations();
                assertTrue(v.stream().anyMatch(s -> s.contains("was charged 2 times")), "a double charge is seen: " + v);
                users.rollback();
                assertTrue(duplicateOneRow(inventory, "stock_effects", "kind = 'RESERVE'") == 1,
                           "a reservation to copy (no stock was reserved?)");
                v = ShopLedgers.read(orders, users, inventory, gateway, catalogue.initialStock()).violations();
                assertTrue(v.stream().anyMatch(s -> s.contains(" times")), "a double reservation is seen: " + v);
            } finally {
                users.rollback();
                inventory.rollback();
            }
        }
    }

    /** Inserts a copy of one row (all columns but its generated id); returns the rows inserted. */
    static int duplicateOneRow(Connection c, String table, String where) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (ResultSet r = c.getMetaData().getColumns(null, null, table, null)) {
            while (r.next()) {
                if (!r.getString("COLUMN_NAME").equalsIgnoreCase("id")) {
                    columns.add(r.getString("COLUMN_NAME"));
                }
            }
        }
        String list = String.join(", ", columns);
        try (Statement s = c.createStatement()) {
            return s.executeUpdate("INSERT INTO " + table + " (" + list + ") SELECT " + list + " FROM " + table
                                           + " WHERE " + where + " LIMIT 1");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Databases

    private static String db(String name) {
        return PG + name;
    }

    private static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(db(database), PG_USER, "");
    }

    private static void createDatabases(Iterable<String> names) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG + "postgres", PG_USER, "");
             Statement s = c.createStatement()) {
            for (String name : names) {
                s.execute("CREATE DATABASE " + name);
            }
        }
    }

    private static void dropDatabases(Iterable<String> names) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG + "postgres", PG_USER, "");
             Statement s = c.createStatement()) {
            for (String name : names) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String seconds(long nanos) {
        return String.format("%.1f", nanos / 1e9);
    }
}
