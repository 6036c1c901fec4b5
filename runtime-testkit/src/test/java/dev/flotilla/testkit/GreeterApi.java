package dev.flotilla.testkit;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;

/** The greeter's contract. */
public interface GreeterApi {
    /** A request to greet someone. */
    record Greet(String name) {
    }

    /** The event published for each greeting. */
    record Greeted(String name, String message) {
    }

    @Post("/v1/greetings")
    @ResponseStatus(201)
    Greeted greet(@Body Greet request);

    @Get("/v1/greetings/count")
    long count();
}
