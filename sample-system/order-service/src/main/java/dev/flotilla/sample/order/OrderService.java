package dev.flotilla.sample.order;

import java.time.Duration;
import java.util.List;

import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.messaging.outbox.Outbox;
import dev.flotilla.messaging.saga.Sagas;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.order.OrderFlow.StockReply;
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
 * The order-service (port 8084 by default): serves {@link OrderApi} and coordinates the order flow as sagas
 * ({@link OrderFlow}): placing an order checks the user, prices the items, stores the order {@code PENDING}, has the
 * inventory reserve the stock, charges the user and confirms it, or rejects it with the reason and undoes what was
 * done; cancelling a confirmed order releases its stock and refunds it. Order events leave through a transactional
 * outbox, so none exists without its order.
 *
 * <p>Configuration: {@value OrderFlow#RESERVE_TIMEOUT_KEY} (how long the inventory's answer is awaited, PT30S),
 * {@value OrderFlow#PAYMENT_TIMEOUT_KEY} (how long a payment the user-service cannot take now is retried, PT20S),
 * and the saga engine's {@code sagas.*} keys.
 */
public final class OrderService extends Service {
    private volatile OrderRepository repository;
    private volatile OrderFlow flow;

    /** Creates the service. */
    public OrderService() {
        super(OrderApi.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        OrderRepository orders = new OrderRepository(Database.open(context, OrderRepository.SCHEMA));
        repository = orders;
        rules.register(HttpContracts.serve(OrderApi.class, new OrderResource(orders, () -> flow)));
    }

    @Override
    protected List<HealthCheck> healthChecks(ServiceContext context) {
        return List.of(repository.database().healthCheck());
    }

    @Override
    protected void start(ServiceContext context) {
        DurableEvents events = DurableEvents.of(context);
        // The streams of what this service publishes, declared now; the outbox and the commands publish into them.
        events.publishes(OrderPlaced.SUBJECT, OrderPlaced.class)
                .publishes(OrderConfirmed.SUBJECT, OrderConfirmed.class)
                .publishes(OrderRejected.SUBJECT, OrderRejected.class)
                .publishes(OrderCancelled.SUBJECT, OrderCancelled.class)
                .publishes(ReserveStock.SUBJECT, ReserveStock.class)
                .publishes(ReleaseStock.SUBJECT, ReleaseStock.class);
        Outbox outbox = Outbox.of(context, repository.database().dataSource());
        OrderFlow steps = new OrderFlow(
                repository, events, outbox, Sagas.of(context),
                context.client(UserApi.class, UserApi.SERVICE),
                context.client(ProductApiV2.class, ProductApiV2.SERVICE),
                context.config().get(OrderFlow.RESERVE_TIMEOUT_KEY).as(Duration.class)
                        .orElse(OrderFlow.DEFAULT_RESERVE_TIMEOUT),
                context.config().get(OrderFlow.PAYMENT_TIMEOUT_KEY).as(Duration.class)
                        .orElse(OrderFlow.DEFAULT_PAYMENT_TIMEOUT),
                context.logger());
        flow = steps;
        events.subscribe(InventoryApi.SERVICE, StockReserved.SUBJECT, StockReserved.class,
                         message -> steps.stockReply(message.payload().orderId(), new StockReply(true, null)));
        events.subscribe(InventoryApi.SERVICE, StockRejected.SUBJECT, StockRejected.class,
                         message -> steps.stockReply(message.payload().orderId(),
                                                     new StockReply(false, message.payload().reason())));
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
