package dev.flotilla.sample.product;

import java.util.List;

import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.product.api.ProductApi;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The product-service (port 8082 by default): serves {@link ProductApi} and publishes
 * {@link dev.flotilla.sample.product.api.ProductCreated}.
 */
public final class ProductService extends Service {
    private volatile Database database;

    /** Creates the service. */
    public ProductService() {
        super(ProductApi.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        database = Database.open(context, ProductResource.SCHEMA);
        rules.register(HttpContracts.serve(ProductApi.class,
                                           new ProductResource(database, DurableEvents.of(context), context)));
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
