package dev.flotilla.testkit;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.security.Caller;
import io.helidon.webserver.http.HttpRules;

/** A guarded service and a front service that calls it. */
final class GuardedServices {
    private GuardedServices() {
    }

    static GuardedApi.Seen seen(Caller caller) {
        return new GuardedApi.Seen(caller.user().orElse(null), caller.service().orElse(null));
    }

    static final class Guarded extends Service {
        Guarded() {
            super("guarded-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(GuardedApi.class, new GuardedApi() {
                @Override
                public Seen whoAmI() {
                    return seen(context.caller());
                }

                @Override
                public Seen internal() {
                    return seen(context.caller());
                }
            }));
        }
    }

    static final class Front extends Service {
        Front() {
            super("front-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            GuardedApi guarded = context.client(GuardedApi.class, "guarded-service");
            rules.register(HttpContracts.serve(GuardedApi.Front.class, new GuardedApi.Front() {
                @Override
                public GuardedApi.Seen whoAmI() {
                    return guarded.whoAmI();
                }

                @Override
                public GuardedApi.Seen internal() {
                    return guarded.internal();
                }
            }));
        }
    }
}
