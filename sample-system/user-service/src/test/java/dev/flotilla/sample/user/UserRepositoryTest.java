package dev.flotilla.sample.user;

import java.util.List;

import dev.flotilla.sample.common.ScratchH2;
import dev.flotilla.sample.user.api.UserApi.Payment;
import dev.flotilla.sample.user.api.UserApi.PaymentStatus;
import dev.flotilla.sample.user.api.UserApi.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Payments on H2, at the moments two transactions on one key can meet. */
class UserRepositoryTest {
    private static final String KEY = "place-order.o-race.take-payment";

    private final ScratchH2 scratch = ScratchH2.create("users", UserRepository.SCHEMA);
    private final UserRepository users = new UserRepository(scratch.database(), 10_000);

    @AfterEach
    void close() {
        scratch.close();
    }

    @Test
    void aChargeCommittedWhileItsRefundRunsIsRefundedNotLeftTaken() {
        users.insert(new User("u-race", "Ada", "ada@example.com"));
        // a charge of 700 cents under the key commits right after the refund's update of payments
        scratch.commitAfterNextUpdateOf("payments", List.of(
                "INSERT INTO payments (idempotency_key, user_id, order_id, amount_cents, status) VALUES ('" + KEY
                        + "', 'u-race', 'o-race', 700, 'CHARGED')",
                "UPDATE users SET credit_used_cents = credit_used_cents + 700 WHERE id = 'u-race'",
                "INSERT INTO payment_effects (order_id, user_id, kind, amount_cents) VALUES ('o-race', 'u-race', "
                        + "'CHARGE', 700)"));

        Payment refunded = users.refund(KEY, "u-race", "o-race");

        assertEquals(PaymentStatus.REFUNDED, refunded.status(), "the charge that committed during the refund");
        assertEquals(0, users.credit("u-race").orElseThrow().usedCents());
    }
}
