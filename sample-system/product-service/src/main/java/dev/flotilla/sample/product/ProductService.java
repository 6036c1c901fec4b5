package dev.flotilla.sample.product;

import java.util.List;
import java.util.Map;

import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.ContractService;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.product.api.ProductCreated;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The product-service (port 8082 by default): serves {@link ProductApiV2} beside the deprecated v1 {@link ProductApi}
 * over the same catalog (prices in the currency configured as {@code product.currency}, {@code EUR} by default), and
 * publishes {@link dev.flotilla.sample.product.api.ProductCreated}.
 */
public final class ProductService extends Service {
    /** The configuration key of the catalog's currency: {@value}. */
    static final String CURRENCY_KEY = "product.currency";

    private volatile Database database;
    private volatile ContractService v1;
    private volatile DurableEvents events;

    /** Creates the service. */
    public ProductService() {
        super(ProductApi.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        database = Database.open(context, ProductResource.SCHEMA);
        events = DurableEvents.of(context);
        ProductResource resource = new ProductResource(database, events, context);
        String currency = context.config().get(CURRENCY_KEY).asString().orElse("EUR");
        v1 = HttpContracts.serve(ProductApi.class, resource);
        rules.register(v1, HttpContracts.serve(ProductApiV2.class, new ProductResourceV2(resource, currency)));
    }

    /**
     * Who still calls the deprecated v1 {@link ProductApi}: operation (such as {@code GET /v1/products/{id}}) to
     * calling service to count. The same counts are the metric {@code flotilla.http.deprecated.calls}.
     *
     * @return the counts, empty before the first call
     */
    public Map<String, Map<String, Long>> deprecatedV1Calls() {
        return v1.deprecatedCalls();
    }

    @Override
    protected void start(ServiceContext context) {
        events.publishes(ProductCreated.SUBJECT, ProductCreated.class);
    }

    @Override
    protected List<HealthCheck> healthChecks(ServiceContext context) {
        return List.of(database.healthCheck());
    }

    /**
     * Runs the service as its own process.
     *
     * @param args {@code --key=value} configuration overrides, such as {@code --server.port=9082}
     */
    public static void main(String[] args) {
        Flotilla.run(new ProductService(), args);
    }
}
