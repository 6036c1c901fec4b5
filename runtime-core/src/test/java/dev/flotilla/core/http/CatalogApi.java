package dev.flotilla.core.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A contract using every annotation and return type, served and called by the typed-HTTP tests. */
public interface CatalogApi {
    /** An item. */
    record Item(long id, String name, int quantity) {
    }

    /** The body of a create or replace. */
    record NewItem(String name, int quantity) {
    }

    @Get("/v1/items/{id}")
    Item get(@PathParam("id") long id);

    @Get("/v1/items/{id}/maybe")
    Optional<Item> find(@PathParam("id") long id);

    @Get("/v1/items")
    List<Item> list(@Query("name") String name, @Query("tag") List<String> tags, @Header("X-Tenant") String tenant);

    @Post("/v1/items")
    @ResponseStatus(201)
    Item create(@Body NewItem item);

    @Put("/v1/items/{id}")
    Item replace(@PathParam("id") long id, @Body NewItem item);

    @Patch("/v1/items/{id}")
    HttpResult<Item> rename(@PathParam("id") long id, @Query("name") String name);

    @Delete("/v1/items/{id}")
    void delete(@PathParam("id") long id);

    @Get("/v1/async/items/{id}")
    CompletableFuture<Item> getAsync(@PathParam("id") long id);

    @Get("/v1/echo/{text}")
    Map<String, String> echo(@PathParam("text") String text);

    @Get("/v1/async/echo/{text}")
    CompletableFuture<Map<String, String>> echoAsync(@PathParam("text") String text);

    @Get("/v1/slow")
    String slow(@Query("ms") int millis);

    @Get("/v1/flaky")
    String flakyGet(@Query("key") String key, @Query("failures") int failures);

    @Post("/v1/flaky")
    String flakyPost(@Query("key") String key, @Query("failures") int failures);

    @Get("/v1/conflict")
    String conflict();

    @Get("/v1/unprocessable")
    String unprocessable();

    /** A default method runs on the client as written. */
    default Item getOrPlaceholder(long id) {
        return find(id).orElse(new Item(id, "placeholder", 0));
    }
}
