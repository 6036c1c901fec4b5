package dev.flotilla.sample.user;

import java.util.Map;

import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.core.http.RemoteNotFoundException;
import dev.flotilla.sample.user.api.DuplicateEmailException;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.ServiceName;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The user-service alone, through its published contract. */
class UserServiceTest {
    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder().nats(NatsMode.IN_JVM)
            .addService(new UserService(), Map.of("db.url", "jdbc:h2:mem:user-service-test;DB_CLOSE_DELAY=-1"))
            .build();

    @Test
    void registersAndFindsAUserWithANormalisedEmail(@ServiceName(UserApi.SERVICE) UserApi users) {
        User user = users.register(new NewUser(" Ada ", "Ada@Example.com "));
        assertEquals(new User(user.id(), "Ada", "ada@example.com"), user);
        assertEquals(user, users.get(user.id()));
    }

    @Test
    void refusesAMissingNameAnInvalidEmailAndADuplicate(@ServiceName(UserApi.SERVICE) UserApi users) {
        assertEquals("Invalid request: name: must not be blank.", assertThrows(RemoteBadRequestException.class,
                () -> users.register(new NewUser(null, "bob@example.com"))).problem().detail());
        assertEquals("Invalid request: email: must be an e-mail address.",
                     assertThrows(RemoteBadRequestException.class,
                             () -> users.register(new NewUser("Bob", "bob@example"))).problem().detail());
        assertThrows(RemoteBadRequestException.class, () -> users.register(new NewUser("Bob", null)));
        users.register(new NewUser("Bob", "bob@example.com"));
        assertEquals("A user with e-mail bob@example.com is already registered",
                     assertThrows(DuplicateEmailException.class,
                             () -> users.register(new NewUser("Bobby", "BOB@example.com"))).problem().detail());
    }

    @Test
    void anUnknownUserIsNotFound(@ServiceName(UserApi.SERVICE) UserApi users) {
        assertThrows(RemoteNotFoundException.class, () -> users.get("nobody"));
    }
}
