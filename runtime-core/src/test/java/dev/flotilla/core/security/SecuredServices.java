package dev.flotilla.core.security;

import java.util.List;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import io.helidon.webserver.http.HttpRules;

/** The services of the security tests: a vault that reports its caller, and relays that call the vault. */
final class SecuredServices {
    static final String VAULT = "vault-service";

    private SecuredServices() {
    }

    static VaultApi.Seen seen(Caller caller) {
        return new VaultApi.Seen(caller.user().orElse(null), caller.service().orElse(null),
                                 caller.roles().stream().sorted().toList());
    }

    /** Serves {@link VaultApi}; logs "vault handled" with each call, for the MDC test. */
    static final class Vault extends Service {
        Vault() {
            super(VAULT, "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(VaultApi.class, new VaultApi() {
                private Seen log(Seen seen) {
                    context.logger().info("vault handled {}", seen);
                    return seen;
                }

                @Override
                public Seen open() {
                    return log(seen(context.caller()));
                }

                // tag::caller[]
                @Override
                public Seen me() {
                    Caller caller = context.caller();           // verified by the service, never a plain header
                    context.logger().info("vault handled {}", caller.user().orElse("nobody")); // MDC: user, callerService
                    return new Seen(caller.user().orElse(null), caller.service().orElse(null),
                                    caller.roles().stream().sorted().toList());
                }
                // end::caller[]

                @Override
                public Seen operate() {
                    return log(seen(context.caller()));
                }

                @Override
                public Seen read() {
                    return log(seen(context.caller()));
                }

                @Override
                public Seen store(Secret secret) {
                    return log(seen(context.caller()));
                }

                @Override
                public Seen internal() {
                    return log(seen(context.caller()));
                }
            }));
        }
    }

    /** A service that calls the vault with its typed client. */
    static final class Relay extends Service {
        Relay(String name) {
            super(name, "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            VaultApi vault = context.client(VaultApi.class, VAULT);
            rules.register(HttpContracts.serve(RelayApi.class, new RelayApi() {
                @Override
                public VaultApi.Seen me() {
                    return vault.me();
                }

                @Override
                public VaultApi.Seen internal() {
                    return vault.internal();
                }
            }));
        }
    }

    static List<String> names() {
        return List.of(VAULT, "order-service", "billing-service");
    }
}
