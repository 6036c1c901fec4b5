package dev.flotilla.sample.user.api;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The user-service's HTTP contract: served by the user-service, called by the order-service and the gateway. Its
 * constraints are those of the {@code users} table: ids of at most 36 characters, names of at most 200, e-mail
 * addresses of at most 320.
 */
public interface UserApi {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = "user-service";
    /**
     * What the user-service accepts as an e-mail address: something, an {@code @}, something with a dot; plausible,
     * not RFC 5322. Surrounding blanks are allowed (they are stripped); it is stored lower-cased.
     */
    String EMAIL = "\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s.]+\\s*";

    /**
     * A user.
     *
     * @param id    the id
     * @param name  the name
     * @param email the e-mail address, unique
     */
    record User(@NotNull String id, @NotNull String name, @NotNull String email) {
    }

    /**
     * The body of a registration.
     *
     * @param name  required, not blank, at most 200 characters
     * @param email required, a plausible e-mail address ({@link #EMAIL}), at most 320 characters, not yet registered
     */
    record NewUser(@NotBlank @Size(max = 200) String name,
                   @NotNull @Size(max = 320) @Pattern(regexp = EMAIL, message = "must be an e-mail address")
                   String email) {
    }

    /**
     * Registers a user.
     *
     * @param user the user
     * @return the stored user, with its id (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException for a missing name or an invalid e-mail (400)
     * @throws DuplicateEmailException                          when the e-mail is already registered (409)
     */
    @Post("/v1/users")
    @ResponseStatus(201)
    User register(@Body NewUser user) throws DuplicateEmailException;

    /**
     * A user by id.
     *
     * @param id the id
     * @return the user
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is none (404)
     */
    @Get("/v1/users/{id}")
    User get(@PathParam("id") @Size(max = 36) String id);
}
