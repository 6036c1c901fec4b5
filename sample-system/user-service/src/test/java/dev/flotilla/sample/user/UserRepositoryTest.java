package dev.flotilla.sample.user;

import java.util.Map;
import java.util.UUID;

import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.user.api.UserApi.Payment;
import dev.flotilla.sample.user.api.UserApi.PaymentStatus;
import dev.flotilla.sample.user.api.UserApi.User;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Payments on H2, at the moments two transactions on one key can meet. */
class UserRepositoryTest {
    private final String url = "jdbc:h2:mem:users-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final Database database = Database.open(Config.just(ConfigSources.create(Map.of("url", url))),
                                                    "users-test");
    private final UserRepository users = new UserRepository(database, 10_000);

    {
        database.transaction(connection -> {
            for (String ddl : UserRepository.SCHEMA) {
                connection.createStatement().execute(ddl);
            }
            return null;
        });
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aChargeCommittedWhileItsRefundRunsIsRefundedNotLeftTaken() {
        users.insert(new User(ChargeCommitsMidRefund.USER, "Ada", "ada@example.com"));
        database.transaction(connection -> {
            connection.createStatement().execute("CREATE TABLE race_database (url VARCHAR(200))");
            try (var insert = connection.prepareStatement("INSERT INTO race_database VALUES (?)")) {
                insert.setString(1, url);
                insert.executeUpdate();
            }
            return connection.createStatement().execute(
                    "CREATE TRIGGER charge_commits_mid_refund AFTER UPDATE ON payments CALL \""
                            + ChargeCommitsMidRefund.class.getName() + "\"");
        });

        Payment refunded = users.refund(ChargeCommitsMidRefund.KEY, ChargeCommitsMidRefund.USER,
                                        ChargeCommitsMidRefund.ORDER);

        assertEquals(PaymentStatus.REFUNDED, refunded.status(), "the charge that committed during the refund");
        assertEquals(0, users.credit(ChargeCommitsMidRefund.USER).orElseThrow().usedCents());
    }
}
