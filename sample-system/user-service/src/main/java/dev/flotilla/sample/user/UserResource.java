package dev.flotilla.sample.user;

import java.util.Locale;
import java.util.UUID;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.sample.user.api.DuplicateEmailException;
import dev.flotilla.sample.user.api.PaymentDeclinedException;
import dev.flotilla.sample.user.api.UserApi;

/**
 * {@link UserApi} as served. The contract's constraints are checked before a method runs (a blank name, an e-mail
 * address that is not one, a value longer than its column, an idempotency key that is not one are answered with
 * 400), so what reaches here fits the tables once normalised. Who may charge and refund is checked before too.
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

    @Override
    public Payment charge(String id, String idempotencyKey, Charge charge) {
        try {
            Payment payment = users.charge(idempotencyKey, id, charge.orderId(), charge.amountCents());
            context.logger().info("Charged user {} {} cents for order {}", id, charge.amountCents(),
                                  charge.orderId());
            return payment;
        } catch (UserRepository.Declined declined) {
            context.logger().info("Declined a charge of user {} for order {}: {}", id, charge.orderId(),
                                  declined.getMessage());
            throw new PaymentDeclinedException(declined.getMessage());
        } catch (UserRepository.NoSuchUser missing) {
            throw new NotFoundException(missing.getMessage());
        }
    }

    @Override
    public Payment refund(String id, String idempotencyKey, Refund refund) {
        Payment payment = users.refund(idempotencyKey, id, refund.orderId());
        context.logger().info("Refund of payment {} for order {}: {}", idempotencyKey, refund.orderId(),
                              payment.status());
        return payment;
    }
}
