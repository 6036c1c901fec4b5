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
        Money price = request.price();
        if (price == null || price.amount() == null) {
            throw new BadRequestException("Field 'price' with an 'amount' is required");
        }
        if (!currency.equals(price.currency())) {
            throw new BadRequestException("Prices are in " + currency + ", not " + price.currency());
        }
        long cents;
        try {
            cents = price.cents();
        } catch (ArithmeticException e) {
            throw new BadRequestException("Field 'price.amount' has at most two decimals: " + price.amount());
        }
        return toV2(v1.create(new ProductApi.NewProduct(request.name(), cents, request.initialStock())));
    }

    @Override
    public Product get(String id) {
        return toV2(v1.get(id));
    }

    private Product toV2(ProductApi.Product product) {
        return new Product(product.id(), product.name(), Money.ofCents(product.priceCents(), currency));
    }
}
