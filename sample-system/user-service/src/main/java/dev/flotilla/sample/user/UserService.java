package dev.flotilla.sample.user;

import java.util.List;

import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.user.api.UserApi;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The user-service (port 8081 by default): serves {@link UserApi} from its own database: users, and payments
 * against each user's credit limit ({@value #CREDIT_LIMIT_KEY}).
 */
public final class UserService extends Service {
    /**
     * The configuration key of a new user's credit limit in cents: {@value}. Default 100,000,000 (one million in the
     * catalog's currency).
     */
    public static final String CREDIT_LIMIT_KEY = "users.credit-limit-cents";

    private volatile Database database;

    /** Creates the service. */
    public UserService() {
        super(UserApi.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        database = Database.open(context, UserRepository.SCHEMA);
        long creditLimit = context.config().get(CREDIT_LIMIT_KEY).asLong()
                .orElse(UserRepository.DEFAULT_CREDIT_LIMIT_CENTS);
        rules.register(HttpContracts.serve(UserApi.class, new UserResource(
                new UserRepository(database, creditLimit), context)));
    }

    @Override
    protected List<HealthCheck> healthChecks(ServiceContext context) {
        return List.of(database.healthCheck());
    }

    /**
     * Runs the service as its own process.
     *
     * @param args {@code --key=value} configuration overrides, such as {@code --server.port=9081}
     */
    public static void main(String[] args) {
        Flotilla.run(new UserService(), args);
    }
}
