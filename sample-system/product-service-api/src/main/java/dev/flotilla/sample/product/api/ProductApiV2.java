package dev.flotilla.sample.product.api;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.flotilla.core.security.Access;
import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

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
     * @param amount   the amount, 0 to 10,000,000 with at most two decimals (a price in cents stays within
     *                 {@link ProductApi#MAX_PRICE_CENTS})
     * @param currency the ISO 4217 code of the currency: three capital letters
     */
    record Money(@JsonProperty(required = true) @NotNull @DecimalMin("0") @DecimalMax("10000000")
                 @Digits(integer = 8, fraction = 2) BigDecimal amount,
                 @JsonProperty(required = true) @NotNull @Pattern(regexp = "[A-Z]{3}") String currency) {
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
    record Product(@NotNull String id, @NotNull String name, @NotNull Money price) {
    }

    /**
     * The body of a new product.
     *
     * @param name         required, at most 200 characters
     * @param price        required, at least 0, in the catalog's currency, at most two decimals
     * @param initialStock 0 to {@link ProductApi#MAX_INITIAL_STOCK}; reaches the inventory through
     *                     {@link ProductCreated}
     */
    record NewProduct(@JsonProperty(required = true) @NotBlank @Size(max = 200) String name,
                      @JsonProperty(required = true) @NotNull @Valid Money price,
                      @PositiveOrZero @Max(ProductApi.MAX_INITIAL_STOCK) int initialStock) {
    }

    /**
     * Adds a product and publishes {@link ProductCreated}.
     *
     * @param product the product
     * @return the stored product (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException for a missing name or price, a negative number, or
     *                                                          another currency than the catalog's (400)
     */
    @Access(roles = ProductApi.OPERATOR)
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
    Product get(@PathParam("id") @Size(max = 36) String id);
}
