package dev.flotilla.testkit;

import static dev.flotilla.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.permissions.NatsPermissions;
import dev.flotilla.messaging.saga.Saga;
import dev.flotilla.messaging.saga.SagaDefinition;
import dev.flotilla.messaging.saga.SagaInstance;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.messaging.saga.Sagas;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueOptions;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A service whose saga engine is created in {@code Service.start}, under least-privilege NATS with no grant added by
 * hand: its sagas bucket is in its generated permissions, so a saga runs to completion through a waiting step and its
 * reply, also after a restart; and no other service's credentials, nor a stranger's, may read or write that bucket.
 */
class SagaLeastPrivilegeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SERVICE = "booking-service";
    private static final String BUCKET = "sagas-" + SERVICE;
    private static final String STREAM = "KV_" + BUCKET;
    private static final String BOOK = "hotels.book.v1";
    private static final String BOOKED = "hotels.booked.v1";

    /** The saga's data. */
    public record Trip(String id) {
    }

    /** The hotel's answer to a booking command. */
    public record Booked(String tripId, String room) {
    }

    /** Books a trip: a flight (an action), then a hotel (a command over NATS and its reply, an event). */
    static final class BookingService extends Service {
        volatile Saga<Trip> saga;

        BookingService() {
            super(SERVICE, "1.0.0");
        }

        @Override
        protected void start(ServiceContext context) {
            Messaging messaging = context.extension(Messaging.class);
            messaging.events().publishes(BOOK, Trip.class);
            saga = Sagas.of(context).register(SagaDefinition.builder("book-trip", Trip.class)
                    .step("flight", s -> s.action(ctx -> ctx.data()))
                    .step("hotel", s -> s.send(ctx -> messaging.publish(BOOK, ctx.data()))
                            .awaitReply(Booked.class, Duration.ofMinutes(1), (ctx, booked) -> ctx.data()))
                    .build());
            messaging.subscribe(BOOKED, Booked.class, m -> saga.reply(m.payload().tripId(), "hotel", m.payload()));
        }
    }

    private static final BookingService BOOKINGS = new BookingService();

    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder()
            .addService(BOOKINGS)
            .addService(new GreeterService())
            .leastPrivilegeNats(grants -> grants.service("stranger"))
            .build();

    @Test
    void theSagasBucketIsGrantedToItsServiceOnly() {
        NatsPermissions permissions = SYSTEM.natsPermissions().orElseThrow();
        List<String> granted = permissions.publishAllowed(SERVICE);
        assertTrue(granted.containsAll(List.of("$KV." + BUCKET + ".>", "$JS.API.STREAM.CREATE." + STREAM,
                "$JS.API.STREAM.INFO." + STREAM, "$JS.API.DIRECT.GET." + STREAM + ".>",
                "$JS.API.CONSUMER.CREATE." + STREAM + ".>")), granted.toString());
        for (String other : List.of("greeter-service", "stranger")) {
            assertTrue(permissions.publishAllowed(other).stream().noneMatch(s -> s.contains(BUCKET)),
                       () -> other + ": " + permissions.publishAllowed(other));
            assertTrue(permissions.subscribeAllowed(other).stream().noneMatch(s -> s.contains(BUCKET)),
                       () -> other + ": " + permissions.subscribeAllowed(other));
        }
    }

    @Test
    void aSagaWaitsForItsReplyAndCompletesAlsoAfterARestart() {
        // the hotel: answers each booking command with an event
        Subscription hotel = SYSTEM.messaging().subscribe(BOOK, Trip.class,
                m -> SYSTEM.messaging().publish(BOOKED, new Booked(m.payload().id(), "12")));
        try {
            bookAndAwait("trip-1");
            SYSTEM.service(SERVICE).stop();
            SYSTEM.service(SERVICE).start(); // re-declares its bucket, under its permissions from the start
            bookAndAwait("trip-2");
        } finally {
            hotel.close();
        }
        assertTrue(SYSTEM.logs(SERVICE).stream().noneMatch(l -> l.toString().contains("Permissions Violation")),
                   () -> "the service was refused something: " + SYSTEM.logs(SERVICE));
    }

    private static void bookAndAwait(String id) {
        BOOKINGS.saga.start(id, new Trip(id));
        SagaInstance<?> done = SYSTEM.awaitSaga(SERVICE, "book-trip", id, SagaState.COMPLETED, WAIT);
        List<String> events = done.history().stream().map(e -> e.step() + " " + e.event()).toList();
        assertTrue(events.contains("hotel sent") && events.contains("hotel replied"), events::toString);
    }

    @Test
    void anotherServiceCannotReadOrWriteTheBucket() throws Exception {
        refusesTheBucket("greeter-service");
    }

    @Test
    void aStrangerCannotReadOrWriteTheBucket() throws Exception {
        refusesTheBucket("stranger");
    }

    private static void refusesTheBucket(String user) throws Exception {
        String id = "guarded-" + user;
        BOOKINGS.saga.start(id, new Trip(id));
        SagaInstance<?> waiting = SYSTEM.awaitSaga(SERVICE, "book-trip", id, SagaState.WAITING, WAIT);
        String key = "book-trip." + id;

        NatsPermissions permissions = SYSTEM.natsPermissions().orElseThrow();
        Queue<String> errors = new ConcurrentLinkedQueue<>();
        NatsSettings settings = NatsSettings.builder().server(SYSTEM.natsUrl().orElseThrow())
                .nkeySeed(permissions.serviceConfig(user).get(NatsPermissions.SEED_KEY))
                .inboxPrefix(permissions.serviceConfig(user).get(NatsPermissions.INBOX_KEY)).build();
        Connection connection = Nats.connect(settings.toOptions("attacker").errorListener(new ErrorListener() {
            @Override
            public void errorOccurred(Connection conn, String error) {
                errors.add(error);
            }
        }).build());
        try {
            // through the key-value API: the bucket cannot even be opened (its stream info is refused)
            KeyValueOptions quick = KeyValueOptions.builder()
                    .jetStreamOptions(JetStreamOptions.builder().requestTimeout(Duration.ofMillis(500)).build())
                    .build();
            assertThrows(IOException.class, () -> connection.keyValue(BUCKET, quick).get(key));
            // and subject by subject: a forged state, reads, a watch, deleting or purging the stream
            byte[] forged = "{\"state\":\"COMPLETED\"}".getBytes(StandardCharsets.UTF_8);
            List<String> refused = List.of("$KV." + BUCKET + "." + key, "$JS.API.STREAM.INFO." + STREAM,
                    "$JS.API.DIRECT.GET." + STREAM + ".$KV." + BUCKET + "." + key, "$JS.API.DIRECT.GET." + STREAM,
                    "$JS.API.STREAM.MSG.GET." + STREAM, "$JS.API.CONSUMER.CREATE." + STREAM,
                    "$JS.API.STREAM.DELETE." + STREAM, "$JS.API.STREAM.PURGE." + STREAM);
            for (String subject : refused) {
                connection.publish(subject, connection.createInbox(), forged);
            }
            var spying = connection.subscribe("$KV." + BUCKET + ".>");
            connection.flush(WAIT);
            for (String subject : refused) {
                eventually(WAIT, () -> assertTrue(errors.stream().anyMatch(
                        e -> e.contains("Permissions Violation for Publish to \"" + subject + "\"")),
                        () -> subject + ": " + errors));
            }
            eventually(WAIT, () -> assertTrue(errors.stream().anyMatch(
                    e -> e.contains("Permissions Violation for Subscription to \"$KV." + BUCKET + ".>\"")),
                    errors::toString));
            assertEquals(null, spying.nextMessage(Duration.ofMillis(1)));
        } finally {
            connection.close();
        }
        // the saga is untouched: still waiting, and its reply still completes it
        SagaInstance<?> now = BOOKINGS.saga.find(id).orElseThrow();
        assertEquals(SagaState.WAITING, now.state());
        assertEquals(waiting.updatedAt(), now.updatedAt());
        assertTrue(BOOKINGS.saga.reply(id, "hotel", new Booked(id, "7")));
        SYSTEM.awaitSaga(SERVICE, "book-trip", id, SagaState.COMPLETED, WAIT);
        assertFalse(SYSTEM.logs(SERVICE).stream().anyMatch(l -> l.toString().contains("Permissions Violation")));
    }
}
