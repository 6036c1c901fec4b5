package dev.flotilla.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceState;
import dev.flotilla.messaging.saga.Saga;
import dev.flotilla.messaging.saga.SagaDefinition;
import dev.flotilla.messaging.saga.SagaInstance;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.messaging.saga.Sagas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The testkit's saga support: a controllable clock, awaiting and listing sagas, killing a service mid-step. */
class SagaTestkitTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    // tag::clock[]
    private static final TestClock CLOCK = TestClock.create();
    // end::clock[]

    /** The saga's data. */
    public record Trip(String id) {
    }

    /** A hotel's answer. */
    public record Booked(String room) {
    }

    /** Books a trip: a flight (an action), then a hotel (a command and its reply, ten minutes at most). */
    static final class TripService extends Service {
        final List<String> effects = new CopyOnWriteArrayList<>();
        final CountDownLatch blockedFlight = new CountDownLatch(1);
        final CountDownLatch releaseFlight = new CountDownLatch(1);
        volatile Saga<Trip> saga;

        TripService() {
            super("trip-service", "1.0.0");
        }

        @Override
        protected void start(ServiceContext context) {
            saga = Sagas.of(context).register(SagaDefinition.builder("book-trip", Trip.class)
                    .step("flight", s -> s.action(ctx -> {
                        effects.add("flight " + ctx.idempotencyKey() + " " + ctx.attempt());
                        if (ctx.sagaId().startsWith("block") && ctx.attempt() == 1) {
                            blockedFlight.countDown();
                            try {
                                releaseFlight.await();
                            } catch (InterruptedException e) {
                                effects.add("flight interrupted");
                                throw e;
                            }
                        }
                        return ctx.data();
                    }).compensate(ctx -> effects.add("cancel flight " + ctx.failure().orElseThrow())))
                    .step("hotel", s -> s.send(ctx -> effects.add("hotel " + ctx.idempotencyKey()))
                            .awaitReply(Booked.class, Duration.ofMinutes(10), (ctx, booked) -> ctx.data()))
                    .build());
        }
    }

    private static final TripService TRIPS = new TripService();

    // tag::system[]
    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder()
            .addService(TRIPS, java.util.Map.of("sagas.sweep-interval", "PT0.02S", "shutdown.grace-period", "PT0S"))
            .clock(CLOCK)
            .build();
    // end::system[]

    @Test
    void aTenMinuteReplyTimeoutFiresWhenTheTestClockIsAdvanced() {
        // tag::timeout[]
        TRIPS.saga.start("t-1", new Trip("t-1"));
        SagaInstance<?> waiting = SYSTEM.awaitSaga("trip-service", "book-trip", "t-1", SagaState.WAITING, WAIT);
        assertEquals("hotel", waiting.waitingOn().orElseThrow());

        CLOCK.advance(Duration.ofMinutes(11)); // the hotel's ten minutes are over

        SagaInstance<?> failed = SYSTEM.awaitSaga("trip-service", "book-trip", "t-1", SagaState.FAILED, WAIT);
        // end::timeout[]
        assertEquals("no reply from hotel within PT10M", failed.failure().orElseThrow());
        assertTrue(TRIPS.effects.contains("cancel flight no reply from hotel within PT10M"), TRIPS.effects::toString);
        assertTrue(SYSTEM.sagas("trip-service", "book-trip").stream().anyMatch(i -> i.id().equals("t-1")));
        AssertionError notThere = assertThrows(AssertionError.class, () -> SYSTEM.awaitSaga(
                "trip-service", "book-trip", "t-1", SagaState.COMPLETED, Duration.ofMillis(50)));
        assertTrue(notThere.getMessage().contains("FAILED"), notThere.getMessage());
    }

    @Test
    void aServiceKilledMidStepTakesItsSagaOverAfterARestartAndRunsTheStepAgainWithTheSameKey() throws Exception {
        Saga<Trip> before = TRIPS.saga;
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                before.start("block-1", new Trip("block-1"));
            } catch (RuntimeException e) {
                // the service dies under it
            }
        });
        assertTrue(TRIPS.blockedFlight.await(WAIT.toSeconds(), TimeUnit.SECONDS));

        // tag::kill[]
        SYSTEM.kill("trip-service");     // mid-step: connection cut, the step's thread interrupted
        // end::kill[]

        caller.join(WAIT);
        assertEquals(ServiceState.STOPPED, SYSTEM.service("trip-service").state());
        assertTrue(TRIPS.effects.contains("flight interrupted"), "the step's thread was interrupted");
        // tag::restart[]
        SYSTEM.restart("trip-service");
        assertEquals(SagaState.RUNNING, TRIPS.saga.find("block-1").orElseThrow().state(), "lease still held");
        CLOCK.advance(Duration.ofSeconds(11)); // the dead owner's lease expires

        SagaInstance<?> waiting = SYSTEM.awaitSaga("trip-service", "book-trip", "block-1", SagaState.WAITING, WAIT);
        // end::restart[]
        assertEquals(List.of("flight book-trip.block-1.flight 1", "flight interrupted",
                             "flight book-trip.block-1.flight 2", "hotel book-trip.block-1.hotel"),
                     TRIPS.effects.stream().filter(e -> e.contains("block-1") || e.contains("interrupted")).toList());
        assertTrue(waiting.history().stream().anyMatch(e -> e.event().equals("taken-over")));
        assertTrue(TRIPS.saga.reply("block-1", "hotel", new Booked("12")));
        SYSTEM.awaitSaga("trip-service", "book-trip", "block-1", SagaState.COMPLETED, WAIT);
    }
}
