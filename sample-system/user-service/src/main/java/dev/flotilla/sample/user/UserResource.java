package dev.flotilla.sample.user;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.ConflictException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.sample.user.api.UserApi;

/** {@link UserApi} as served: validation and the answers of the contract. */
final class UserResource implements UserApi {
    /** Something, an {@code @}, something with a dot: plausible, not RFC 5322. */
    static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s.]+");

    private final UserRepository users;
    private final ServiceContext context;

    UserResource(UserRepository users, ServiceContext context) {
        this.users = users;
        this.context = context;
    }

    @Override
    public User register(NewUser request) {
        User user = new User(UUID.randomUUID().toString(), validName(request.name()), validEmail(request.email()));
        if (!users.insert(user)) {
            throw new ConflictException("A user with e-mail " + user.email() + " is already registered");
        }
        context.logger().info("Registered user {}", user.id());
        return user;
    }

    @Override
    public User get(String id) {
        return users.find(id).orElseThrow(() -> new NotFoundException("No user with id " + id));
    }

    static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw new BadRequestException("Field 'name' is required");
        }
        return name.strip();
    }

    static String validEmail(String email) {
        if (email == null || !EMAIL.matcher(email.strip()).matches()) {
            throw new BadRequestException("Field 'email' must be an e-mail address, was "
                                                  + (email == null ? "missing" : "'" + email + "'"));
        }
        return email.strip().toLowerCase(Locale.ROOT);
    }
}
