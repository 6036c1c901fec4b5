package dev.flotilla.sample.user;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.Service;
import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.core.http.RemoteNotFoundException;
import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.user.api.PaymentDeclinedException;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.sample.user.api.UserApi.Charge;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.Payment;
import dev.flotilla.sample.user.api.UserApi.PaymentStatus;
import dev.flotilla.sample.user.api.UserApi.Refund;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.TestSystem;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Payments against a credit limit, called as the order-service (the only service allowed to) by a stand-in service
 * of that name; the effects are read back from the user-service's own tables over JDBC, so a double effect would show.
 */
class PaymentsTest {
    private static final String DB = "jdbc:h2:mem:payments-test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder().nats(NatsMode.IN_JVM)
            .addService(new UserService(), Map.of("db.url", DB, UserService.CREDIT_LIMIT_KEY, "1000"))
            .addService(new StandIn(UserApi.PAYER))
            .addService(new StandIn("gateway"))
            .build();

    private static Database database;

    @BeforeAll
    static void openDatabase() {
        database = Database.open(Config.just(ConfigSources.create(Map.of("url", DB))), "payments-test");
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    /** A service with nothing to serve, whose calls are signed with its name's key. */
    static final class StandIn extends Service {
        StandIn(String name) {
            super(name, "1.0.0");
        }
    }

    private static UserApi as(String service) {
        return SYSTEM.service(service).context().client(UserApi.class, UserApi.SERVICE);
    }

    private static User user() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        return as(UserApi.PAYER).register(new NewUser("Ada " + tag, "ada-" + tag + "@example.com"));
    }

    @Test
    void aChargeTakesCreditOnceHoweverOftenItIsRepeated() {
        UserApi payer = as(UserApi.PAYER);
        User user = user();
        Payment first = payer.charge(user.id(), "order-1.take-payment", new Charge("order-1", 400));
        assertEquals(new Payment("order-1.take-payment", user.id(), "order-1", 400, PaymentStatus.CHARGED), first);
        assertEquals(first, payer.charge(user.id(), "order-1.take-payment", new Charge("order-1", 400)));
        assertEquals(400, creditUsed(user.id()));
        assertEquals(List.of("CHARGE 400"), effects("order-1", user.id()));
    }

    @Test
    void aChargePastTheCreditLimitIsDeclinedAndTakesNothing() {
        UserApi payer = as(UserApi.PAYER);
        User user = user();
        payer.charge(user.id(), "a.take-payment", new Charge("a", 700));
        PaymentDeclinedException declined = assertThrows(PaymentDeclinedException.class,
                () -> payer.charge(user.id(), "b.take-payment", new Charge("b", 301)));
        assertEquals(422, declined.problem().status());
        assertEquals("credit limit exceeded: 301 cents asked, 300 of 1000 cents left", declined.problem().detail());
        assertEquals(700, creditUsed(user.id()));
        assertEquals(List.of(), effects("b", user.id()));
        // Exactly up to the limit is fine.
        payer.charge(user.id(), "c.take-payment", new Charge("c", 300));
        assertEquals(1000, creditUsed(user.id()));
    }

    @Test
    void aRefundGivesTheCreditBackOnce() {
        UserApi payer = as(UserApi.PAYER);
        User user = user();
        payer.charge(user.id(), "r.take-payment", new Charge("r", 250));
        Payment refunded = payer.refund(user.id(), "r.take-payment", new Refund("r"));
        assertEquals(PaymentStatus.REFUNDED, refunded.status());
        assertEquals(refunded, payer.refund(user.id(), "r.take-payment", new Refund("r")));
        assertEquals(0, creditUsed(user.id()));
        assertEquals(List.of("CHARGE 250", "REFUND 250"), effects("r", user.id()));
        // The refunded key cannot be charged again.
        assertEquals("payment r.take-payment was refunded already", assertThrows(PaymentDeclinedException.class,
                () -> payer.charge(user.id(), "r.take-payment", new Charge("r", 250))).problem().detail());
        assertEquals(0, creditUsed(user.id()));
    }

    @Test
    void aRefundThatOvertakesItsChargeLeavesATombstoneThatDeclinesTheCharge() {
        UserApi payer = as(UserApi.PAYER);
        User user = user();
        assertEquals(new Payment("late.take-payment", user.id(), "late", 0, PaymentStatus.VOID),
                     payer.refund(user.id(), "late.take-payment", new Refund("late")));
        assertEquals("payment late.take-payment was voided already", assertThrows(PaymentDeclinedException.class,
                () -> payer.charge(user.id(), "late.take-payment", new Charge("late", 100))).problem().detail());
        assertEquals(0, creditUsed(user.id()));
        assertEquals(List.of(), effects("late", user.id()));
    }

    @Test
    void aKeyReusedForAnotherPaymentIsDeclined() {
        UserApi payer = as(UserApi.PAYER);
        User user = user();
        payer.charge(user.id(), "k.take-payment", new Charge("k", 100));
        assertEquals("idempotency key k.take-payment was used for another payment",
                     assertThrows(PaymentDeclinedException.class,
                             () -> payer.charge(user.id(), "k.take-payment", new Charge("k", 200))).problem()
                             .detail());
        assertEquals(100, creditUsed(user.id()));
    }

    @Test
    void concurrentRepeatsOfOneChargeTakeItOnce() throws Exception {
        UserApi payer = as(UserApi.PAYER);
        User user = user();
        List<Callable<Payment>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(() -> payer.charge(user.id(), "race.take-payment", new Charge("race", 10)));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Future<Payment> result : pool.invokeAll(calls, 30, TimeUnit.SECONDS)) {
                assertEquals(PaymentStatus.CHARGED, result.get().status());
            }
        }
        assertEquals(10, creditUsed(user.id()));
        assertEquals(List.of("CHARGE 10"), effects("race", user.id()));
    }

    @Test
    void anUnknownUserIsNotFoundAndABadKeyIsRefused() {
        UserApi payer = as(UserApi.PAYER);
        assertThrows(RemoteNotFoundException.class, () -> payer.charge("nobody", "x.take-payment", new Charge("x", 1)));
        assertEquals(List.of(), effects("x", "nobody"));
        User user = user();
        assertThrows(RemoteBadRequestException.class,
                     () -> payer.charge(user.id(), "not a key!", new Charge("x", 1)));
        assertThrows(RemoteBadRequestException.class,
                     () -> payer.charge(user.id(), "y.take-payment", new Charge("y", -1)));
    }

    @Test
    void onlyTheOrderServiceMayChargeOrRefund() {
        User user = user();
        UserApi gateway = as("gateway");
        assertEquals(403, assertThrows(RemoteProblemException.class,
                () -> gateway.charge(user.id(), "g.take-payment", new Charge("g", 1))).status());
        assertEquals(403, assertThrows(RemoteProblemException.class,
                () -> gateway.refund(user.id(), "g.take-payment", new Refund("g"))).status());
        assertEquals(0, creditUsed(user.id()));
        assertEquals(List.of(), effects("g", user.id()));
        // Reading a user stays open to any service.
        assertEquals(user, gateway.get(user.id()));
    }

    private static long creditUsed(String userId) {
        return database.transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT credit_used_cents FROM users WHERE id = ?")) {
                select.setString(1, userId);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    private static List<String> effects(String orderId, String userId) {
        return database.transaction(connection -> {
            List<String> effects = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT kind, amount_cents FROM payment_effects WHERE order_id = ? AND user_id = ? ORDER BY id")) {
                select.setString(1, orderId);
                select.setString(2, userId);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        effects.add(row.getString(1) + " " + row.getLong(2));
                    }
                }
            }
            return effects;
        });
    }
}
