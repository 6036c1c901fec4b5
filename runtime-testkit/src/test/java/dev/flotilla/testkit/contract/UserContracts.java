package dev.flotilla.testkit.contract;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Delete;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.Query;
import dev.flotilla.core.http.ResponseStatus;

/** A user API as recorded in a snapshot, and one variant per kind of change the compatibility check judges. */
final class UserContracts {
    private UserContracts() {
    }

    enum Status { ACTIVE, ARCHIVED }

    record User(long id, String name, String email, Status status) {
    }

    record NewUser(String name, String phone, Status status) {
    }

    /** The recorded contract. */
    public interface Recorded {
        @Get("/v1/users/{id}")
        User get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    /** Breaking: DELETE removed. */
    public interface EndpointRemoved {
        @Get("/v1/users/{id}")
        User get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);
    }

    record UserWithoutEmail(long id, String name, Status status) {
    }

    /** Breaking: the response field email removed. */
    public interface ResponseFieldRemoved {
        @Get("/v1/users/{id}")
        UserWithoutEmail get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    /** Breaking: the query parameter page removed. */
    public interface ParameterRemoved {
        @Get("/v1/users/{id}")
        User get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list();

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    /** Breaking: page is text now. */
    public interface ParameterTypeChanged {
        @Get("/v1/users/{id}")
        User get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") String page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    record UserWithTextId(String id, String name, String email, Status status) {
    }

    /** Breaking: the response field id is text now. */
    public interface FieldTypeChanged {
        @Get("/v1/users/{id}")
        UserWithTextId get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    record NewUserPhoneRequired(String name, @JsonProperty(required = true) String phone, Status status) {
    }

    /** Breaking: the request field phone became required. */
    public interface OptionalMadeRequired {
        @Get("/v1/users/{id}")
        User get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUserPhoneRequired user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    /** Breaking: page is a primitive now, so the server answers 400 without it. */
    public interface ParameterMadeRequired {
        @Get("/v1/users/{id}")
        User get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") int page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    enum ActiveOnly { ACTIVE }

    record NewActiveUser(String name, String phone, ActiveOnly status) {
    }

    /** Breaking: the request enum no longer accepts ARCHIVED. */
    public interface EnumNarrowed {
        @Get("/v1/users/{id}")
        User get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewActiveUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    enum MoreStatuses { ACTIVE, ARCHIVED, SUSPENDED }

    record UserWithMoreStatuses(long id, String name, String email, MoreStatuses status) {
    }

    record NewUserWithNickname(String name, String phone, MoreStatuses status, String nickname) {
    }

    /**
     * Additive: a new endpoint, a new optional query parameter, a new optional request field, a new response
     * field, and a new enum value accepted in requests.
     */
    public interface Additive {
        @Get("/v1/users/{id}")
        UserWithAge get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page, @Query("size") Integer size);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUserWithNickname user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);

        @Get("/v1/users/{id}/friends")
        List<User> friends(@PathParam("id") long id);
    }

    record UserWithAge(long id, String name, String email, Status status, int age) {
    }

    /** Breaking for strict readers: a new enum value in a response. */
    public interface ResponseEnumWidened {
        @Get("/v1/users/{id}")
        UserWithMoreStatuses get(@PathParam("id") long id);

        @Get("/v1/users")
        List<User> list(@Query("page") Integer page);

        @Post("/v1/users")
        @ResponseStatus(201)
        User create(@Body NewUser user);

        @Delete("/v1/users/{id}")
        void delete(@PathParam("id") long id);
    }

    /** Events of the user service. */
    record UserRegistered(long id, String name) {
    }

    /** Version 2 of the event. */
    record UserRegisteredV2(long id, String name, String email) {
    }
}
