package dev.flotilla.sample.user;

import java.util.Locale;
import java.util.UUID;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.sample.user.api.DuplicateEmailException;
import dev.flotilla.sample.user.api.UserApi;

/**
 * {@link UserApi} as served. The contract's constraints are checked before a method runs (a blank name, an e-mail
 * address that is not one, a value longer than its column are answered with 400), so what reaches here fits the
 * {@code users} table once normalised.
 */
final class UserResource implements UserApi {
    private final UserRepository users;
    private final ServiceContext context;

    UserResource(UserRepository users, ServiceContext context) {
        this.users = users;
        this.context = context;
    }

    @Override
    public User register(NewUser request) {
        User user = new User(UUID.randomUUID().toString(), request.name().strip(),
                             request.email().strip().toLowerCase(Locale.ROOT));
        if (!users.insert(user)) {
            throw new DuplicateEmailException("A user with e-mail " + user.email() + " is already registered");
        }
        context.logger().info("Registered user {}", user.id());
        return user;
    }

    @Override
    public User get(String id) {
        return users.find(id).orElseThrow(() -> new NotFoundException("No user with id " + id));
    }
}
