package dev.flotilla.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import dev.flotilla.sample.gateway.ShopApi;
import dev.flotilla.sample.order.api.OrderApi.OrderLine;
import dev.flotilla.sample.order.api.OrderApi.PlaceOrder;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.user.api.UserApi.User;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady orders through the gateway, as shoppers would place them, and a tracker that follows each accepted order
 * until the order-service reports it confirmed (or rejected). Kills are marked on the same clock, so the figures say
 * what each one cost: orders refused while it lasted, and how long until an order placed after it was completed.
 * Bounded: {@value #SHOPPERS} shoppers, one order each per {@value #PACE_MILLIS} ms at most, until {@link #finish}.
 */
final class OrderLoad implements AutoCloseable {
    private static final int SHOPPERS = 2;
    private static final long PACE_MILLIS = 100;
    private static final int MAX_ORDERS = 5_000;

    /** One accepted order: when it was sent, and when it was seen completed (0 until then). */
    private static final class Placed {
        final String id;
        final long sentAt;
        volatile long settledAt;
        volatile Status status;

        Placed(String id, long sentAt) {
            this.id = id;
            this.sentAt = sentAt;
        }
    }

    /** A failure marked on the load's clock. */
    record Kill(String label, long at) {
    }

    private record Refusal(long sentAt, String error) {
    }

    private final ShopApi shop;
    private final PlaceOrder order;
    private final List<Placed> placed = new CopyOnWriteArrayList<>();
    private final List<Refusal> refused = new CopyOnWriteArrayList<>();
    private final List<Kill> kills = new CopyOnWriteArrayList<>();
    private final Map<Kill, Long> recoveredAt = new ConcurrentHashMap<>();
    private final AtomicBoolean placing = new AtomicBoolean(true);
    private final AtomicBoolean tracking = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private OrderLoad(ShopApi shop, User user, Product product) {
        this.shop = shop;
        this.order = new PlaceOrder(user.id(), List.of(new OrderLine(product.id(), 1)));
    }

    static OrderLoad start(ShopApi shop, User user, Product product) {
        OrderLoad load = new OrderLoad(shop, user, product);
        for (int i = 0; i < SHOPPERS; i++) {
            load.threads.add(Thread.ofVirtual().name("shopper-" + i).start(load::shop));
        }
        load.threads.add(Thread.ofVirtual().name("order-tracker").start(load::track));
        return load;
    }

    private void shop() {
        while (placing.get() && placed.size() + refused.size() < MAX_ORDERS) {
            long sent = System.nanoTime();
            try {
                placed.add(new Placed(shop.placeOrder(order).id(), sent));
            } catch (RuntimeException e) {
                refused.add(new Refusal(sent, e.toString()));
            }
            long next = sent + PACE_MILLIS * 1_000_000;
            // pacing of the load, not a wait for something to happen
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    private void track() {
        while (tracking.get()) {
            for (Placed p : placed) {
                if (p.settledAt == 0 && tracking.get()) {
                    try {
                        Status status = shop.order(p.id).status();
                        if (status != Status.PENDING) {
                            p.status = status;
                            p.settledAt = System.nanoTime();
                        }
                    } catch (RuntimeException e) {
                        // the gateway or the order-service is busy recovering: asked again next round
                    }
                }
            }
            for (Kill kill : kills) {
                if (!recoveredAt.containsKey(kill)) {
                    placed.stream().filter(p -> p.sentAt > kill.at() && p.status == Status.CONFIRMED)
                            .mapToLong(p -> p.settledAt).min().ifPresent(at -> recoveredAt.put(kill, at));
                }
            }
            LockSupport.parkNanos(50_000_000);
        }
    }

    /** Waits until {@code count} orders are confirmed. */
    void awaitConfirmed(int count, Duration timeout) {
        eventually(timeout, () -> assertTrue(confirmed() >= count, confirmed() + " of " + count + " confirmed"));
    }

    /** Marks the instant, then runs the failure. */
    Kill kill(String label, Runnable failure) {
        Kill kill = new Kill(label, System.nanoTime());
        kills.add(kill);
        failure.run();
        return kill;
    }

    /** Waits until an order placed after the kill is confirmed. */
    void awaitRecovery(Kill kill, Duration timeout) {
        eventually(timeout, () -> assertTrue(recoveredAt.containsKey(kill), "an order placed after " + kill.label()
                + " was confirmed"));
    }

    /** Waits until {@code count} more orders were accepted after the shop recovered from the kill. */
    void awaitPlacedAfterRecovery(Kill kill, int count, Duration timeout) {
        eventually(timeout, () -> assertTrue(placed.stream().filter(p -> p.sentAt > recoveredAt.get(kill)).count()
                                                     >= count, count + " orders placed after recovery"));
    }

    private long confirmed() {
        return placed.stream().filter(p -> p.status == Status.CONFIRMED).count();
    }

    /** The ids of the orders the gateway accepted. */
    java.util.Set<String> accepted() {
        return placed.stream().map(p -> p.id).collect(java.util.stream.Collectors.toSet());
    }

    /** Stops placing, waits until every accepted order is settled (or the timeout), and returns the figures. */
    Figures finish(Duration timeout) {
        placing.set(false);
        joinShoppers();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (placed.stream().anyMatch(p -> p.settledAt == 0) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000_000);
        }
        tracking.set(false);
        return new Figures(this);
    }

    private void joinShoppers() {
        for (Thread thread : threads) {
            if (thread.getName().startsWith("shopper")) {
                try {
                    thread.join(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public void close() {
        placing.set(false);
        tracking.set(false);
        threads.forEach(Thread::interrupt);
    }

    /** What the load measured. */
    static final class Figures {
        private final OrderLoad load;
        private final long confirmed;
        private final long rejected;
        private final long unsettled;

        private Figures(OrderLoad load) {
            this.load = load;
            this.confirmed = load.confirmed();
            this.rejected = load.placed.stream().filter(p -> p.status == Status.REJECTED).count();
            this.unsettled = load.placed.stream().filter(p -> p.settledAt == 0).count();
        }

        /** Orders the gateway accepted that were never completed. */
        long lost() {
            return unsettled;
        }

        /** Whether, after every kill, an order placed after it was completed. */
        boolean recovered() {
            return load.kills.stream().allMatch(load.recoveredAt::containsKey);
        }

        void putInto(Measured measured) {
            measured.put("orders-attempted", load.placed.size() + load.refused.size())
                    .put("placed (accepted)", load.placed.size())
                    .put("refused", load.refused.size())
                    .put("completed", confirmed).put("rejected", rejected).put("lost", unsettled);
            for (Kill kill : load.kills) {
                Long at = load.recoveredAt.get(kill);
                Kill next = load.kills.stream().filter(k -> k.at() > kill.at()).findFirst().orElse(null);
                List<Long> after = load.refused.stream()
                        .filter(r -> r.sentAt() > kill.at() && (next == null || r.sentAt() < next.at()))
                        .map(r -> (r.sentAt() - kill.at()) / 1_000_000).toList();
                measured.put("killed " + kill.label() + ": recovered-after-ms",
                             at == null ? "never" : (at - kill.at()) / 1_000_000)
                        .put(kill.label() + ": refused-after", after.size())
                        .put(kill.label() + ": last-refusal-after-ms", after.isEmpty() ? "-" : after.getLast());
            }
            if (!load.refused.isEmpty()) {
                List<String> when = new ArrayList<>();
                for (Refusal refusal : load.refused) {
                    Kill before = null;
                    for (Kill kill : load.kills) {
                        if (kill.at() < refusal.sentAt()) {
                            before = kill;
                        }
                    }
                    when.add(before == null ? "before the kills"
                                     : "+" + (refusal.sentAt() - before.at()) / 1_000_000 + " ms after " + before.label());
                }
                measured.put("refusals", when).put("first-refusal", load.refused.getFirst().error());
            }
        }
    }
}
