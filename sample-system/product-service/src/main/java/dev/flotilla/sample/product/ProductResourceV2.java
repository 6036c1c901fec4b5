package dev.flotilla.sample.product;

import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.sample.product.api.ProductApiV2;

/**
 * {@link ProductApiV2} as served: the same catalog as v1 ({@link ProductResource} stores cents), with prices as an
 * amount in the catalog's currency (configuration {@code product.currency}, {@code EUR} by default).
 */
final class ProductResourceV2 implements ProductApiV2 {
    private final ProductResource v1;
    private final String currency;

    ProductResourceV2(ProductResource v1, String currency) {
        this.v1 = v1;
        this.currency = currency;
    }

    @Override
    public Product create(NewProduct request) {
        // The contract's constraints hold: a price with an amount of at most two decimals, 0 to 10,000,000.
        Money price = request.price();
        if (!currency.equals(price.currency())) {
            throw new BadRequestException("Prices are in " + currency + ", not " + price.currency());
        }
        return toV2(v1.create(new ProductApi.NewProduct(request.name(), price.cents(), request.initialStock())));
    }

    @Override
    public Product get(String id) {
        return toV2(v1.get(id));
    }

    private Product toV2(ProductApi.Product product) {
        return new Product(product.id(), product.name(), Money.ofCents(product.priceCents(), currency));
    }
}
