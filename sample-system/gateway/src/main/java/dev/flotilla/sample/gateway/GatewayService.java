package dev.flotilla.sample.gateway;

import java.util.List;

import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.user.api.UserApi;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The gateway (port 8080 by default): serves {@link ShopApi} to clients over the services' typed clients, and keeps
 * the order-history read model from the order events.
 */
public final class GatewayService extends Service {
    private volatile OrderHistory history;

    /** Creates the service. */
    public GatewayService() {
        super(ShopApi.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        OrderHistory readModel = new OrderHistory(Database.open(context, OrderHistory.SCHEMA));
        history = readModel;
        rules.register(HttpContracts.serve(ShopApi.class, new GatewayResource(
                context.client(UserApi.class, UserApi.SERVICE),
                context.client(ProductApiV2.class, ProductApiV2.SERVICE),
                context.config().get("product.currency").asString().orElse("EUR"),
                context.client(InventoryApi.class, InventoryApi.SERVICE),
                context.client(OrderApi.class, OrderApi.SERVICE),
                readModel, () -> context.feature("product-details"), context.logger(), context::caller)));
    }

    @Override
    protected List<HealthCheck> healthChecks(ServiceContext context) {
        return List.of(history.database().healthCheck());
    }

    @Override
    protected void start(ServiceContext context) {
        history.subscribe(DurableEvents.of(context));
    }

    /**
     * Runs the service as its own process.
     *
     * @param args {@code --key=value} configuration overrides, such as {@code --server.port=9080}
     */
    public static void main(String[] args) {
        Flotilla.run(new GatewayService(), args);
    }
}
