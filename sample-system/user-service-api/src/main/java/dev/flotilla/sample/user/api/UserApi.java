package dev.flotilla.sample.user.api;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;

/**
 * The user-service's HTTP contract: served by the user-service, called by the order-service and the gateway.
 */
public interface UserApi {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = "user-service";

    /**
     * A user.
     *
     * @param id    the id
     * @param name  the name
     * @param email the e-mail address, unique
     */
    record User(String id, String name, String email) {
    }

    /**
     * The body of a registration.
     *
     * @param name  required, not blank
     * @param email required, a plausible e-mail address, not yet registered
     */
    record NewUser(String name, String email) {
    }

    /**
     * Registers a user.
     *
     * @param user the user
     * @return the stored user, with its id (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException for a missing name or an invalid e-mail (400)
     * @throws dev.flotilla.core.http.RemoteConflictException   when the e-mail is already registered (409)
     */
    @Post("/v1/users")
    @ResponseStatus(201)
    User register(@Body NewUser user);

    /**
     * A user by id.
     *
     * @param id the id
     * @return the user
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is none (404)
     */
    @Get("/v1/users/{id}")
    User get(@PathParam("id") String id);
}
