package dev.flotilla.sample.inventory;

import java.util.List;

import dev.flotilla.sample.order.api.OrderApi;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.inventory.InventoryRepository.Outcome;
import dev.flotilla.sample.inventory.api.InventoryApi;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReleased;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.product.api.ProductCreated;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The inventory-service (port 8083 by default): keeps stock, reserves it for placed orders (all items or none) and
 * releases it for cancelled ones. Every handler is idempotent, so a redelivered event changes nothing twice.
 */
public final class InventoryService extends Service {
    /** How many deliveries an order waits for the stock of a product the inventory has not heard of yet. */
    static final int UNKNOWN_PRODUCT_DELIVERIES = 3;

    private volatile InventoryRepository repository;

    /** Creates the service. */
    public InventoryService() {
        super(InventoryApi.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        InventoryRepository stock = new InventoryRepository(Database.open(context, InventoryRepository.SCHEMA));
        repository = stock;
        rules.register(HttpContracts.serve(InventoryApi.class, productId -> stock.stock(productId).orElseThrow(
                () -> new NotFoundException("No stock known for product " + productId))));
    }

    @Override
    protected List<HealthCheck> healthChecks(ServiceContext context) {
        return List.of(repository.database().healthCheck());
    }

    @Override
    protected void start(ServiceContext context) {
        InventoryRepository stock = repository;
        DurableEvents events = DurableEvents.of(context);
        events.publishes(StockReserved.SUBJECT, StockReserved.class)
                .publishes(StockRejected.SUBJECT, StockRejected.class)
                .publishes(StockReleased.SUBJECT, StockReleased.class);
        events.subscribe(ProductApi.SERVICE, ProductCreated.SUBJECT, ProductCreated.class, message -> {
            ProductCreated created = message.payload();
            if (stock.createStock(created.productId(), created.initialStock())) {
                context.logger().info("Stock of product {}: {} unit(s)", created.productId(), created.initialStock());
            }
        });
        events.subscribe(OrderApi.SERVICE, OrderPlaced.SUBJECT, OrderPlaced.class, message -> {
            OrderPlaced order = message.payload();
            // Product ids were checked by the order-service; a product may still be on its way to us as an event.
            boolean mayWait = events.durable() && message.deliveryCount() < UNKNOWN_PRODUCT_DELIVERIES;
            Outcome outcome = stock.reserve(order.orderId(), order.items(), mayWait);
            if (outcome.reserved()) {
                context.logger().info("Reserved stock for order {}", order.orderId());
                events.publish(StockReserved.SUBJECT, new StockReserved(order.orderId()),
                               "inventory-" + order.orderId() + "-reserved");
            } else {
                context.logger().info("Rejected order {}: {}", order.orderId(), outcome.reason());
                events.publish(StockRejected.SUBJECT, new StockRejected(order.orderId(), outcome.reason()),
                               "inventory-" + order.orderId() + "-rejected");
            }
        });
        events.subscribe(OrderApi.SERVICE, OrderCancelled.SUBJECT, OrderCancelled.class, message -> {
            String orderId = message.payload().orderId();
            if (stock.release(orderId)) {
                context.logger().info("Released the stock of cancelled order {}", orderId);
            }
            events.publish(StockReleased.SUBJECT, new StockReleased(orderId), "inventory-" + orderId + "-released");
        });
    }

    /**
     * Runs the service as its own process.
     *
     * @param args {@code --key=value} configuration overrides, such as {@code --server.port=9083}
     */
    public static void main(String[] args) {
        Flotilla.run(new InventoryService(), args);
    }
}
