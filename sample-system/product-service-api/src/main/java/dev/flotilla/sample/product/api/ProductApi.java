package dev.flotilla.sample.product.api;

import dev.flotilla.core.security.Access;
import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;
import dev.flotilla.core.http.Sunset;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * Version 1 of the product-service's HTTP contract: the catalog and its prices in cents. Deprecated: {@link
 * ProductApiV2} replaces it; every response carries {@code Deprecation} and {@code Sunset} headers and the
 * product-service counts who still calls it. Its records stay the shapes of the gateway's public API.
 */
@Sunset(value = "2027-06-30", deprecatedOn = "2026-11-26")
public interface ProductApi {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = "product-service";
    /** The role a signed-in user needs to create products: {@value}. */
    String OPERATOR = "operator";
    /**
     * The highest unit price in cents: {@value}. With at most {@code 100} lines of {@code 10,000} units an order's
     * total stays far from a {@code long}'s limit.
     */
    long MAX_PRICE_CENTS = 1_000_000_000L;
    /** The largest initial stock of a product: {@value}. */
    int MAX_INITIAL_STOCK = 1_000_000;

    /**
     * A product of the catalog.
     *
     * @param id         the id
     * @param name       the name
     * @param priceCents the unit price in cents
     */
    record Product(@NotNull String id, @NotNull String name, long priceCents) {
    }

    /**
     * The body of a new product.
     *
     * @param name         required, at most 200 characters
     * @param priceCents   0 to {@link #MAX_PRICE_CENTS}
     * @param initialStock 0 to {@link #MAX_INITIAL_STOCK}; reaches the inventory through {@link ProductCreated}
     */
    record NewProduct(@NotBlank @Size(max = 200) String name,
                      @PositiveOrZero @Max(MAX_PRICE_CENTS) long priceCents,
                      @PositiveOrZero @Max(MAX_INITIAL_STOCK) int initialStock) {
    }

    /**
     * Adds a product and publishes {@link ProductCreated}.
     *
     * @param product the product
     * @return the stored product (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException for a missing name or a negative number (400)
     */
    @Access(roles = ProductApi.OPERATOR)
    @Post("/v1/products")
    @ResponseStatus(201)
    Product create(@Body NewProduct product);

    /**
     * A product by id.
     *
     * @param id the id
     * @return the product
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is none (404)
     */
    @Get("/v1/products/{id}")
    Product get(@PathParam("id") @Size(max = 36) String id);
}
