package dev.flotilla.sample.inventory.api;

import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.PathParam;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The inventory-service's HTTP contract: stock per product. Stock changes only through events and the commands {@link ReserveStock} and {@link ReleaseStock}.
 */
public interface InventoryApi {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = "inventory-service";

    /**
     * The stock of a product.
     *
     * @param productId the product
     * @param available units that can still be ordered, never negative
     * @param reserved  units reserved by confirmed orders
     */
    record Stock(@NotNull String productId, int available, int reserved) {
    }

    /**
     * The stock of a product.
     *
     * @param productId the product's id
     * @return its stock
     * @throws dev.flotilla.core.http.RemoteNotFoundException when the inventory does not know the product (yet)
     */
    @Get("/v1/stock/{productId}")
    Stock get(@PathParam("productId") @Size(max = 36) String productId);
}
