package dev.flotilla.sample.product.api;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;
import dev.flotilla.core.http.Sunset;

/**
 * Version 1 of the product-service's HTTP contract: the catalog and its prices in cents. Deprecated: {@link
 * ProductApiV2} replaces it; every response carries {@code Deprecation} and {@code Sunset} headers and the
 * product-service counts who still calls it. Its records stay the shapes of the gateway's public API.
 */
@Sunset(value = "2027-06-30", deprecatedOn = "2026-11-26")
public interface ProductApi {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = "product-service";

    /**
     * A product of the catalog.
     *
     * @param id         the id
     * @param name       the name
     * @param priceCents the unit price in cents
     */
    record Product(String id, String name, long priceCents) {
    }

    /**
     * The body of a new product.
     *
     * @param name         required
     * @param priceCents   at least 0
     * @param initialStock at least 0; reaches the inventory through {@link ProductCreated}
     */
    record NewProduct(String name, long priceCents, int initialStock) {
    }

    /**
     * Adds a product and publishes {@link ProductCreated}.
     *
     * @param product the product
     * @return the stored product (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException for a missing name or a negative number (400)
     */
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
    Product get(@PathParam("id") String id);
}
