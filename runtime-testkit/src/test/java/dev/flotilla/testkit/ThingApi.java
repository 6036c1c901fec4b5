package dev.flotilla.testkit;

import jakarta.validation.constraints.NotNull;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;

/** A contract that {@link ThingService} keeps for most inputs and breaks for a few, to test the conformance check. */
public interface ThingApi {
    /** What a thing is made from; {@code quantity} is primitive, so the schema requires it. */
    record NewThing(String name, int quantity) {
    }

    /** A thing; its schema says {@code name} is a string that is always present, so {@code null} breaks it. */
    record Thing(String id, @NotNull String name, int quantity) {
    }

    @Post("/v1/things")
    @ResponseStatus(201)
    Thing create(@Body NewThing thing);

    @Get("/v1/things/{id}")
    Thing get(@PathParam("id") String id);
}
