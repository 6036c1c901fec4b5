package dev.flotilla.sample.inventory;

import java.util.List;

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
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.inventory.api.StockRejected;
import dev.flotilla.sample.inventory.api.StockReleased;
import dev.flotilla.sample.inventory.api.StockReserved;
import dev.flotilla.sample.product.api.ProductCreated;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The inventory-service (port 8083 by default): keeps stock, and takes the order-service's commands: {@link
 * ReserveStock} (all items or none, answered with {@link StockReserved} or {@link StockRejected}) and {@link
 * ReleaseStock} (answered with {@link StockReleased}). Commands are handled only when the order-service signed them.
 * Every handler is idempotent, so a redelivered or repeated command changes nothing twice; an answer lost in a crash
 * after the commit is sent again when the command is redelivered.
 */
public final class InventoryService extends Service {
    /** The only service whose commands the inventory takes: {@value}. */
    static final String ORDER_SERVICE = "order-service";
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
        events.subscribe(ORDER_SERVICE, ReserveStock.SUBJECT, ReserveStock.class, message -> {
            ReserveStock command = message.payload();
            // Product ids were checked by the order-service; a product may still be on its way to us as an event.
            boolean mayWait = events.durable() && message.deliveryCount() < UNKNOWN_PRODUCT_DELIVERIES;
            Outcome outcome = stock.reserve(command.orderId(), command.items(), mayWait);
            // Answered after the commit, every time the command comes: an answer lost in a crash is sent again.
            if (outcome.reserved()) {
                context.logger().info("Reserved stock for order {}", command.orderId());
                events.publish(StockReserved.SUBJECT, new StockReserved(command.orderId()),
                               "inventory-" + command.orderId() + "-reserved");
            } else {
                context.logger().info("Rejected order {}: {}", command.orderId(), outcome.reason());
                events.publish(StockRejected.SUBJECT, new StockRejected(command.orderId(), outcome.reason()),
                               "inventory-" + command.orderId() + "-rejected");
            }
        });
        events.subscribe(ORDER_SERVICE, ReleaseStock.SUBJECT, ReleaseStock.class, message -> {
            String orderId = message.payload().orderId();
            if (stock.release(orderId)) {
                context.logger().info("Released the stock of order {}", orderId);
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
