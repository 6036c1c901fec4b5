package dev.flotilla.messaging.saga;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flotilla.messaging.Await;
import dev.flotilla.messaging.InJvmBroker;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.testkit.nats.NatsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The saga engine against a real nats-server: steps, failures, retries, replies, timers, takeovers, restarts. */
class SagaTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    /** The saga's data. */
    public record Order(String id, List<String> done) {
        Order with(String step) {
            List<String> next = new ArrayList<>(done);
            next.add(step);
            return new Order(id, next);
        }
    }

    /** A reply. */
    public record Reply(boolean ok, String note) {
    }

    private NatsServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** Every effect: "<what> <idempotency key> <attempt>". */
    private final List<String> effects = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() {
        server = NatsServer.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        server.close();
    }

    private Messaging messaging(String service) {
        Messaging m = Messaging.builder().serviceName(service).nats(NatsSettings.builder().server(server.url())
                .reconnectInitialWait(Duration.ofMillis(20)).reconnectMaxWait(Duration.ofMillis(100))
                .reconnectJitter(Duration.ofMillis(10)).build()).build();
        closeables.add(m);
        return m;
    }

    private Sagas engine(Messaging messaging, Clock clock) {
        Sagas sagas = Sagas.builder(messaging).clock(clock).sweepInterval(Duration.ofMillis(20))
                .retryMinDelay(Duration.ofMillis(10)).retryMaxDelay(Duration.ofMillis(40)).build();
        closeables.add(sagas);
        return sagas;
    }

    private Sagas engine() {
        return engine(messaging("orders"), Clock.systemUTC());
    }

    private StepAction<Order> record(String step) {
        return ctx -> {
            effects.add(step + " " + ctx.idempotencyKey() + " " + ctx.attempt());
            return ctx.data().with(step);
        };
    }

    private Compensation<Order> undo(String step) {
        return ctx -> effects.add("undo-" + step + " " + ctx.idempotencyKey() + " " + ctx.failure().orElse("?"));
    }

    private static SagaInstance<Order> await(Saga<Order> saga, String id, SagaState state) {
        Await.until(WAIT, () -> saga.find(id).map(i -> i.state() == state).orElse(false),
                    () -> "saga " + id + " " + state + ", is " + saga.find(id));
        return saga.find(id).orElseThrow();
    }

    @Test
    void runsEveryStepInOrderAndCompletes() {
        Saga<Order> saga = engine().register(SagaDefinition.builder("place-order", Order.class)
                .step("check", s -> s.action(record("check")))
                .step("reserve", s -> s.action(record("reserve")).compensate(undo("reserve")))
                .step("confirm", s -> s.action(record("confirm")))
                .build());

        SagaInstance<Order> done = saga.start("o-1", new Order("o-1", List.of()));

        assertEquals(SagaState.COMPLETED, done.state());
        assertEquals(List.of("check", "reserve", "confirm"), done.data().done());
        assertEquals(List.of("check place-order.o-1.check 1", "reserve place-order.o-1.reserve 1",
                             "confirm place-order.o-1.confirm 1"), effects);
        SagaInstance<Order> read = saga.find("o-1").orElseThrow();
        assertEquals(SagaState.COMPLETED, read.state());
        assertTrue(read.finished());
        assertTrue(read.step().isEmpty());
        assertEquals(List.of("started", "completed", "completed", "completed", "finished"),
                     read.history().stream().map(SagaEvent::event).toList());
        assertEquals(List.of("o-1"), saga.list().stream().map(SagaInstance::id).toList());
        // a second start of the same id starts nothing
        assertEquals(SagaState.COMPLETED, saga.start("o-1", new Order("o-1", List.of())).state());
        assertEquals(3, effects.size());
        assertThrows(IllegalArgumentException.class, () -> saga.start("bad id!", new Order("x", List.of())));
        assertTrue(saga.find("nope").isEmpty());
    }

    @Test
    void aSagaFailureCompensatesCompletedStepsInReverseOrderEachOnce() {
        Saga<Order> saga = engine().register(SagaDefinition.builder("place-order", Order.class)
                .step("a", s -> s.action(record("a")).compensate(undo("a")))
                .step("b", s -> s.action(record("b")))
                .step("c", s -> s.action(record("c")).compensate(undo("c")))
                .step("d", s -> s.action(ctx -> {
                    throw new SagaFailure("payment declined");
                }).compensate(undo("d")))
                .build());

        SagaInstance<Order> failed = saga.start("o-2", new Order("o-2", List.of()));

        assertEquals(SagaState.FAILED, failed.state());
        assertEquals("payment declined", failed.failure().orElseThrow());
        // d's own compensation does not run: it was an action that failed, not a command that may have had an effect
        assertEquals(List.of("a place-order.o-2.a 1", "b place-order.o-2.b 1", "c place-order.o-2.c 1",
                             "undo-c place-order.o-2.c.compensate payment declined",
                             "undo-a place-order.o-2.a.compensate payment declined"), effects);
        assertEquals(List.of("a", "b", "c"), failed.data().done());
    }

    @Test
    void aTransientFailureIsRetriedWithTheSameIdempotencyKeyUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        Saga<Order> saga = engine().register(SagaDefinition.builder("place-order", Order.class)
                .step("pay", s -> s.action(ctx -> {
                    effects.add(ctx.idempotencyKey() + " " + ctx.attempt());
                    if (calls.incrementAndGet() < 3) {
                        throw new IllegalStateException("payment service unavailable");
                    }
                    return ctx.data().with("pay");
                }))
                .build());

        SagaInstance<Order> started = saga.start("o-3", new Order("o-3", List.of()));

        assertEquals(SagaState.RUNNING, started.state()); // the retry goes on in the background
        SagaInstance<Order> done = await(saga, "o-3", SagaState.COMPLETED);
        assertEquals(List.of("place-order.o-3.pay 1", "place-order.o-3.pay 2", "place-order.o-3.pay 3"), effects);
        assertEquals(List.of("pay"), done.data().done());
        assertEquals(2, done.history().stream().filter(e -> e.event().equals("retry")).count());
    }

    @Test
    void aTransientFailurePastTheStepTimeoutFailsTheSaga() {
        MutableClock clock = new MutableClock();
        Saga<Order> saga = engine(messaging("orders"), clock).register(SagaDefinition.builder("place-order", Order.class)
                .step("a", s -> s.action(record("a")).compensate(undo("a")))
                .step("pay", s -> s.action(ctx -> {
                    effects.add("pay " + ctx.attempt());
                    throw new IllegalStateException("down");
                }).timeout(Duration.ofSeconds(20)))
                .build());
        saga.start("o-4", new Order("o-4", List.of()));
        // the clock stands still: the retry is not due yet
        assertEquals(List.of("a place-order.o-4.a 1", "pay 1"), effects);

        clock.advance(Duration.ofSeconds(21)); // the retry is due, and past the step's timeout when it fails

        SagaInstance<Order> failed = await(saga, "o-4", SagaState.FAILED);
        assertEquals("pay timed out: java.lang.IllegalStateException: down", failed.failure().orElseThrow());
        assertEquals(List.of("a place-order.o-4.a 1", "pay 1", "pay 2",
                             "undo-a place-order.o-4.a.compensate pay timed out: java.lang.IllegalStateException: down"),
                     effects);
    }

    private SagaDefinition<Order> waiting(Duration timeout) {
        return SagaDefinition.builder("place-order", Order.class)
                .step("a", s -> s.action(record("a")).compensate(undo("a")))
                .step("reserve", s -> s
                        .send(ctx -> effects.add("send " + ctx.idempotencyKey()))
                        .awaitReply(Reply.class, timeout, (ctx, reply) -> {
                            if (!reply.ok()) {
                                throw new SagaFailure("rejected: " + reply.note());
                            }
                            return ctx.data().with("reserved " + reply.note());
                        })
                        .compensate(undo("reserve")))
                .build();
    }

    @Test
    void aWaitingStepGoesOnWithItsReplyAndIgnoresOthers() {
        Saga<Order> saga = engine().register(waiting(Duration.ofSeconds(30)));

        SagaInstance<Order> waitingNow = saga.start("o-5", new Order("o-5", List.of()));

        assertEquals(SagaState.WAITING, waitingNow.state());
        assertEquals("reserve", waitingNow.waitingOn().orElseThrow());
        assertFalse(saga.reply("o-5", "a", new Reply(true, "x")), "not waited on");
        assertFalse(saga.reply("unknown", "reserve", new Reply(true, "x")), "unknown saga");
        assertTrue(saga.reply("o-5", "reserve", Map.of("ok", true, "note", "3 items")));
        SagaInstance<Order> done = await(saga, "o-5", SagaState.COMPLETED);
        assertEquals(List.of("a", "reserved 3 items"), done.data().done());
        assertFalse(saga.reply("o-5", "reserve", new Reply(true, "again")), "late and repeated");
        assertEquals(List.of("a place-order.o-5.a 1", "send place-order.o-5.reserve"), effects);
    }

    @Test
    void aReplyThatComesWhileItsCommandIsStillBeingSentIsTakenAtOnce() {
        Sagas sagas = engine();
        java.util.concurrent.atomic.AtomicReference<Saga<Order>> self = new java.util.concurrent.atomic.AtomicReference<>();
        List<Boolean> taken = new java.util.concurrent.CopyOnWriteArrayList<>();
        Saga<Order> saga = sagas.register(SagaDefinition.builder("place-order", Order.class)
                .step("reserve", s -> s
                        // The participant answers before the send returns, so before the wait is stored.
                        .send(ctx -> taken.add(self.get().reply(ctx.sagaId(), "reserve", new Reply(true, "quick"))))
                        .awaitReply(Reply.class, Duration.ofMinutes(5), (ctx, reply) -> ctx.data().with(reply.note())))
                .step("b", s -> s.action(record("b")))
                .build());
        self.set(saga);

        saga.start("o-early", new Order("o-early", List.of()));

        // Well within the lease (10 s): the reply was not left for a takeover after the lease.
        Await.until(Duration.ofSeconds(5), () -> saga.find("o-early").map(i -> i.state() == SagaState.COMPLETED)
                .orElse(false), () -> "completed soon after its early reply, is " + saga.find("o-early"));
        assertEquals(List.of(true), taken);
        assertEquals(List.of("quick", "b"), saga.find("o-early").orElseThrow().data().done());
        assertFalse(saga.reply("o-early", "reserve", new Reply(true, "again")), "a repeated reply changes nothing");
    }

    @Test
    void aRejectingReplyCompensatesTheWaitingStepToo() {
        Saga<Order> saga = engine().register(waiting(Duration.ofSeconds(30)));
        saga.start("o-6", new Order("o-6", List.of()));

        assertTrue(saga.reply("o-6", "reserve", new Reply(false, "out of stock")));

        SagaInstance<Order> failed = await(saga, "o-6", SagaState.FAILED);
        assertEquals("rejected: out of stock", failed.failure().orElseThrow());
        assertEquals(List.of("a place-order.o-6.a 1", "send place-order.o-6.reserve",
                             "undo-reserve place-order.o-6.reserve.compensate rejected: out of stock",
                             "undo-a place-order.o-6.a.compensate rejected: out of stock"), effects);
    }

    @Test
    void aReplyThatNeverComesFailsTheSagaWhenTheControllableClockPassesTheTimeout() {
        MutableClock clock = new MutableClock();
        Saga<Order> saga = engine(messaging("orders"), clock).register(waiting(Duration.ofMinutes(10)));
        saga.start("o-7", new Order("o-7", List.of()));
        clock.advance(Duration.ofMinutes(9));
        assertEquals(SagaState.WAITING, saga.find("o-7").orElseThrow().state());

        clock.advance(Duration.ofMinutes(2));

        SagaInstance<Order> failed = await(saga, "o-7", SagaState.FAILED);
        assertEquals("no reply from reserve within PT10M", failed.failure().orElseThrow());
        assertEquals(List.of("a place-order.o-7.a 1", "send place-order.o-7.reserve",
                             "undo-reserve place-order.o-7.reserve.compensate no reply from reserve within PT10M",
                             "undo-a place-order.o-7.a.compensate no reply from reserve within PT10M"), effects);
        assertFalse(saga.reply("o-7", "reserve", new Reply(true, "too late")));
    }

    @Test
    void theSagaDeadlineFailsAWaitingSaga() {
        MutableClock clock = new MutableClock();
        Saga<Order> saga = engine(messaging("orders"), clock).register(SagaDefinition.builder("place-order",
                                                                                              Order.class)
                .step("reserve", s -> s.send(ctx -> effects.add("send"))
                        .awaitReply(Reply.class, Duration.ofHours(1), (ctx, r) -> ctx.data()))
                .timeout(Duration.ofMinutes(2))
                .build());
        saga.start("o-8", new Order("o-8", List.of()));

        clock.advance(Duration.ofMinutes(3));

        assertEquals("saga timed out", await(saga, "o-8", SagaState.FAILED).failure().orElseThrow());
    }

    @Test
    void anotherInstanceTakesOverWhenTheOwnerDiesMidStepAndRunsTheStepAgainWithTheSameKey() throws Exception {
        MutableClock clock = new MutableClock();
        Messaging firstConnection = messaging("orders");
        Sagas first = engine(firstConnection, clock);
        Sagas second = engine(messaging("orders"), clock);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StepAction<Order> pay = ctx -> {
            effects.add("pay " + ctx.idempotencyKey() + " " + ctx.attempt());
            if (ctx.attempt() == 1) {
                entered.countDown();
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            return ctx.data().with("pay");
        };
        Saga<Order> onFirst = first.register(SagaDefinition.builder("place-order", Order.class)
                .step("pay", s -> s.action(pay)).build());
        Saga<Order> onSecond = second.register(SagaDefinition.builder("place-order", Order.class)
                .step("pay", s -> s.action(pay)).build());
        Thread starter = Thread.ofVirtual().start(() -> {
            try {
                onFirst.start("o-9", new Order("o-9", List.of()));
            } catch (RuntimeException e) {
                // its connection is cut under it
            }
        });
        assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS));

        firstConnection.close(); // the owner dies: its connection is gone, its step still blocked
        clock.advance(Duration.ofSeconds(9));
        assertEquals(SagaState.RUNNING, onSecond.find("o-9").orElseThrow().state(), "lease not expired yet");
        assertEquals(1, effects.size());
        clock.advance(Duration.ofSeconds(2));

        SagaInstance<Order> done = await(onSecond, "o-9", SagaState.COMPLETED);
        release.countDown();
        starter.join(WAIT);
        assertEquals(List.of("pay place-order.o-9.pay 1", "pay place-order.o-9.pay 2"), effects);
        assertEquals(List.of("pay"), done.data().done());
        assertTrue(done.history().stream().anyMatch(e -> e.event().equals("taken-over")));
        assertEquals(SagaState.COMPLETED, onSecond.find("o-9").orElseThrow().state());
    }

    @Test
    void twoInstancesNeverDriveOneSagaAtOnce() {
        Sagas first = engine();
        Sagas second = engine();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> succeeded = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        Set<String> drivers = ConcurrentHashMap.newKeySet();
        List<Saga<Order>> sagas = new ArrayList<>();
        for (Sagas engine : List.of(first, second)) {
            String label = engine.instanceId();
            sagas.add(engine.register(SagaDefinition.builder("place-order", Order.class)
                    .step("pay", s -> s.action(ctx -> {
                        String step = ctx.idempotencyKey();
                        if (running.computeIfAbsent(step, k -> new AtomicInteger()).incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        try {
                            drivers.add(label);
                            if (ctx.attempt() < 4) {
                                throw new IllegalStateException("busy"); // so retries go to whoever sweeps first
                            }
                            succeeded.computeIfAbsent(step, k -> new AtomicInteger()).incrementAndGet();
                            return ctx.data().with("pay");
                        } finally {
                            running.get(step).decrementAndGet();
                        }
                    })).build()));
        }
        int count = 20;
        for (int i = 0; i < count; i++) {
            sagas.get(i % 2).start("o-" + i, new Order("o-" + i, List.of()));
        }

        Await.until(WAIT, () -> sagas.get(0).list().stream().filter(SagaInstance::finished).count() == count,
                    "all sagas finished");
        assertEquals(0, overlaps.get(), "a step ran on two instances at once");
        assertEquals(count, succeeded.size());
        assertTrue(succeeded.values().stream().allMatch(n -> n.get() == 1), succeeded::toString);
        assertEquals(Set.of(first.instanceId(), second.instanceId()), drivers, "both instances took part");
        assertTrue(sagas.get(1).list().stream().allMatch(i -> i.state() == SagaState.COMPLETED));
    }

    @Test
    void stateSurvivesANatsServerRestart() {
        Sagas engine = engine();
        Saga<Order> saga = engine.register(waiting(Duration.ofMinutes(5)));
        saga.start("o-10", new Order("o-10", List.of()));

        server.restart();

        Await.until(WAIT, () -> {
            try {
                return saga.reply("o-10", "reserve", new Reply(true, "after restart"));
            } catch (MessagingException e) {
                return false; // still reconnecting
            }
        }, "the reply taken after the restart");
        SagaInstance<Order> done = await(saga, "o-10", SagaState.COMPLETED);
        assertEquals(List.of("a", "reserved after restart"), done.data().done());
        // the watch feeding the timers goes on after the restart: a retry is picked up by the sweep
        AtomicInteger calls = new AtomicInteger();
        Saga<Order> retrying = engine.register(SagaDefinition.builder("retrying", Order.class)
                .step("pay", s -> s.action(ctx -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("once");
                    }
                    return ctx.data();
                })).build());
        retrying.start("r-1", new Order("r-1", List.of()));
        assertEquals(SagaState.COMPLETED, await(retrying, "r-1", SagaState.COMPLETED).state());
    }

    @Test
    void onTheInJvmTransportStateIsKeptInMemoryWithTheSameSemantics() {
        Messaging inJvm = Messaging.builder().serviceName("orders").build();
        closeables.add(inJvm);
        AtomicInteger calls = new AtomicInteger();
        Saga<Order> saga = engine(inJvm, Clock.systemUTC()).register(SagaDefinition.builder("place-order", Order.class)
                .step("pay", s -> s.action(ctx -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("once");
                    }
                    return ctx.data().with("pay");
                })).build());

        saga.start("m-1", new Order("m-1", List.of()));

        assertEquals(List.of("pay"), await(saga, "m-1", SagaState.COMPLETED).data().done());
        assertEquals(Collections.singletonList("m-1"), saga.list().stream().map(SagaInstance::id).toList());
    }

    @Test
    void onTheInJvmTransportTheInstancesOfAServiceShareTheirSagasThroughTheBroker() {
        InJvmBroker broker = new InJvmBroker();
        Messaging one = Messaging.builder().serviceName("orders").inJvm(broker).build();
        Messaging two = Messaging.builder().serviceName("orders").inJvm(broker).build();
        closeables.add(one);
        closeables.add(two);
        Saga<Order> onOne = engine(one, Clock.systemUTC()).register(waiting(Duration.ofMinutes(1)));
        Saga<Order> onTwo = engine(two, Clock.systemUTC()).register(waiting(Duration.ofMinutes(1)));

        onOne.start("m-2", new Order("m-2", List.of()));

        assertTrue(onTwo.reply("m-2", "reserve", new Reply(true, "via two")));
        assertEquals(List.of("a", "reserved via two"), await(onOne, "m-2", SagaState.COMPLETED).data().done());
    }
}
