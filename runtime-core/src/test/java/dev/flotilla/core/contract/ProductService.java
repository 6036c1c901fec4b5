package dev.flotilla.core.contract;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.ContractService;
import dev.flotilla.core.http.HttpContracts;
import io.helidon.webserver.http.HttpRules;

/** Serves v1 and v2 of the product API side by side, from one store. */
public final class ProductService extends Service {
    private final Map<Long, ProductApiV2.Product> products = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    volatile ContractService v1;
    volatile ContractService v2;

    public ProductService() {
        super("product-service", "2.0.0");
    }

    // tag::routes[]
    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        v1 = HttpContracts.serve(ProductApiV1.class, new V1());
        v2 = HttpContracts.serve(ProductApiV2.class, new V2());
        rules.register(v1, v2);
    }

    /** v1 answers from the v2 model: one store, two representations. */
    private final class V1 implements ProductApiV1 {
        @Override
        public Optional<Product> get(long id) {
            return Optional.ofNullable(products.get(id)).map(V1::toV1);
        }

        @Override
        public List<Product> list(int page) {
            return products.values().stream().map(V1::toV1).toList();
        }

        private static Product toV1(ProductApiV2.Product p) {
            return new Product(p.id(), p.name(), p.price().amount().movePointRight(2).longValueExact());
        }
    }
    // end::routes[]

    private final class V2 implements ProductApiV2 {
        @Override
        public Optional<Product> get(long id) {
            return Optional.ofNullable(products.get(id));
        }

        @Override
        public Product create(NewProduct product) {
            long id = ids.incrementAndGet();
            Product created = new Product(id, product.name(), product.price(), Optional.empty());
            products.put(id, created);
            return created;
        }

        @Override
        @Deprecated
        public long priceCents(long id) {
            return get(id).map(p -> p.price().amount().movePointRight(2).longValueExact()).orElse(0L);
        }
    }

    static ProductApiV2.Price euro(String amount) {
        return new ProductApiV2.Price(new BigDecimal(amount), ProductApiV2.Currency.EUR);
    }
}
