package dev.flotilla.sample.product.api;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;

/**
 * Version 2 of the product-service's HTTP contract: a price is an amount and a currency ({@link Money}) instead of
 * a number of cents. Served beside {@link ProductApi} (v1, sunset) over the same catalog.
 */
public interface ProductApiV2 {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = ProductApi.SERVICE;

    /**
     * An amount of money, such as {@code {"amount": 19.99, "currency": "EUR"}}. The amount is a JSON number read
     * and written as a {@link BigDecimal}, so no precision is lost; both fields are required.
     *
     * @param amount   the amount, at most two decimals
     * @param currency the ISO 4217 code of the currency
     */
    record Money(@JsonProperty(required = true) BigDecimal amount,
                 @JsonProperty(required = true) String currency) {
        /**
         * An amount in cents.
         *
         * @param cents    the amount in cents
         * @param currency the currency
         * @return {@code cents / 100} with two decimals
         */
        public static Money ofCents(long cents, String currency) {
            return new Money(BigDecimal.valueOf(cents, 2), currency);
        }

        /**
         * This amount in cents.
         *
         * @return the number of cents
         * @throws ArithmeticException if the amount has more than two decimals or does not fit a long
         */
        public long cents() {
            return amount.movePointRight(2).longValueExact();
        }
    }

    /**
     * A product of the catalog.
     *
     * @param id    the id
     * @param name  the name
     * @param price the unit price
     */
    record Product(String id, String name, Money price) {
    }

    /**
     * The body of a new product.
     *
     * @param name         required
     * @param price        required, at least 0, in the catalog's currency, at most two decimals
     * @param initialStock at least 0; reaches the inventory through {@link ProductCreated}
     */
    record NewProduct(@JsonProperty(required = true) String name, @JsonProperty(required = true) Money price,
                      int initialStock) {
    }

    /**
     * Adds a product and publishes {@link ProductCreated}.
     *
     * @param product the product
     * @return the stored product (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException for a missing name or price, a negative number, or
     *                                                          another currency than the catalog's (400)
     */
    @Post("/v2/products")
    @ResponseStatus(201)
    Product create(@Body NewProduct product);

    /**
     * A product by id.
     *
     * @param id the id
     * @return the product
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is none (404)
     */
    @Get("/v2/products/{id}")
    Product get(@PathParam("id") String id);
}
