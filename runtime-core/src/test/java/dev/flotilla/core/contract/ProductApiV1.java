package dev.flotilla.core.contract;

import java.util.List;
import java.util.Optional;

import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Query;
import dev.flotilla.core.http.Sunset;

// tag::v1[]
/** Version 1 of the product API: prices in cents. Deprecated: v2 replaces it. */
@Sunset(value = "2027-06-30", deprecatedOn = "2026-01-15")
public interface ProductApiV1 {
    /** A product, priced in euro cents. */
    record Product(long id, String name, long priceCents) {
    }

    @Get("/v1/products/{id}")
    Optional<Product> get(@PathParam("id") long id);

    @Get("/v1/products")
    List<Product> list(@Query("page") int page);
}
// end::v1[]
