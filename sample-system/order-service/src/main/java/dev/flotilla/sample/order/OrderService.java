package dev.flotilla.sample.order;

import java.util.List;

import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.OrderRejected;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.user.api.UserApi;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The order-service (port 8084 by default): serves {@link OrderApi} and runs the order saga. Placing an order stores
 * it {@code PENDING} and publishes {@code orders.order-placed.v1}; the inventory's {@code stock-reserved} or {@code
 * stock-rejected} moves it to {@code CONFIRMED} or {@code REJECTED}; cancelling a confirmed order publishes {@code
 * orders.order-cancelled.v1}, and the inventory gives the stock back (the compensation).
 */
public final class OrderService extends Service {
    private volatile OrderRepository repository;
    private volatile OrderSaga saga;

    /** Creates the service. */
    public OrderService() {
        super(OrderApi.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        OrderRepository orders = new OrderRepository(Database.open(context, OrderRepository.SCHEMA));
        repository = orders;
        OrderSaga steps = new OrderSaga(orders, DurableEvents.of(context), context.logger());
        saga = steps;
        rules.register(HttpContracts.serve(OrderApi.class, new OrderResource(
                orders, steps, context.client(UserApi.class, UserApi.SERVICE),
                context.client(ProductApiV2.class, ProductApiV2.SERVICE))));
    }

    @Override
    protected List<HealthCheck> healthChecks(ServiceContext context) {
        return List.of(repository.database().healthCheck());
    }

    @Override
    protected void start(ServiceContext context) {
        OrderSaga steps = saga;
        DurableEvents events = steps.events();
        events.publishes(OrderPlaced.SUBJECT, OrderPlaced.class)
                .publishes(OrderConfirmed.SUBJECT, OrderConfirmed.class)
                .publishes(OrderRejected.SUBJECT, OrderRejected.class)
                .publishes(OrderCancelled.SUBJECT, OrderCancelled.class);
        events.subscribe(InventoryApi.SERVICE, StockReserved.SUBJECT, StockReserved.class,
                         message -> steps.confirm(message.payload().orderId()));
        events.subscribe(InventoryApi.SERVICE, StockRejected.SUBJECT, StockRejected.class,
                         message -> steps.reject(message.payload().orderId(), message.payload().reason()));
    }

    /**
     * Runs the service as its own process.
     *
     * @param args {@code --key=value} configuration overrides, such as {@code --server.port=9084}
     */
    public static void main(String[] args) {
        Flotilla.run(new OrderService(), args);
    }
}
