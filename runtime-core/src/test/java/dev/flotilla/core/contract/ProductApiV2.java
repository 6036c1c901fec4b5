package dev.flotilla.core.contract;

import java.math.BigDecimal;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;

// tag::v2[]
/** Version 2 of the product API: a price is an amount and a currency. */
public interface ProductApiV2 {
    /** The currencies prices are in. */
    enum Currency { EUR, USD }

    /** An amount of money. */
    record Price(BigDecimal amount, Currency currency) {
    }

    /** A product; {@code description} is optional. */
    record Product(long id, String name, Price price, Optional<String> description) {
    }

    /** The body of a create: the name is required. */
    record NewProduct(@JsonProperty(required = true) String name, Price price) {
    }

    @Get("/v2/products/{id}")
    Optional<Product> get(@PathParam("id") long id);

    @Post("/v2/products")
    @ResponseStatus(201)
    Product create(@Body NewProduct product);

    /** Kept for one release; callers should read {@code price}. */
    @Deprecated
    @Get("/v2/products/{id}/price-cents")
    long priceCents(@PathParam("id") long id);
}
// end::v2[]
