package dev.flotilla.testkit;

import dev.flotilla.core.http.Get;
import dev.flotilla.core.security.Access;
import dev.flotilla.core.security.Anonymous;

/** A contract guarded by roles and by calling service; and what a front service relays to it. */
public interface GuardedApi {
    /** Who the guarded service saw. */
    record Seen(String user, String service) {
    }

    @Get("/v1/whoami")
    @Access(roles = "operator")
    Seen whoAmI();

    @Get("/v1/internal")
    @Access(services = "front-service")
    Seen internal();

    /** The front service's contract: relays to the guarded one with its typed client. */
    interface Front {
        @Get("/v1/relay/whoami")
        @Anonymous
        Seen whoAmI();

        @Get("/v1/relay/internal")
        @Anonymous
        Seen internal();
    }
}
