package dev.flotilla.sample.product;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.sample.common.Database;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.sample.product.api.ProductCreated;

/** {@link ProductApi} as served, on the {@code products} table. */
final class ProductResource implements ProductApi {
    static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS products (
                id          VARCHAR(36)  PRIMARY KEY,
                name        VARCHAR(200) NOT NULL,
                price_cents BIGINT       NOT NULL CHECK (price_cents >= 0)
            )""");

    private final Database database;
    private final DurableEvents events;
    private final ServiceContext context;

    ProductResource(Database database, DurableEvents events, ServiceContext context) {
        this.database = database;
        this.events = events;
        this.context = context;
    }

    /**
     * Stores a product. The contract's constraints are checked before this runs (a blank name, a negative or too
     * large number, a name longer than its column are answered with 400).
     */
    @Override
    public Product create(NewProduct request) {
        Product product = new Product(UUID.randomUUID().toString(), request.name().strip(), request.priceCents());
        database.transaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO products (id, name, price_cents) VALUES (?, ?, ?)")) {
                insert.setString(1, product.id());
                insert.setString(2, product.name());
                insert.setLong(3, product.priceCents());
                insert.executeUpdate();
            }
            // Published before the commit: if the publish fails, nothing is stored and the caller gets an error.
            events.publish(ProductCreated.SUBJECT,
                           new ProductCreated(product.id(), product.name(), product.priceCents(),
                                              request.initialStock()),
                           "product-" + product.id() + "-created");
            return null;
        });
        context.logger().info("Created product {} with {} unit(s) in stock", product.id(), request.initialStock());
        return product;
    }

    @Override
    public Product get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("No product with id " + id));
    }

    private Optional<Product> find(String id) {
        return database.transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, name, price_cents FROM products WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next()
                            ? Optional.of(new Product(row.getString(1), row.getString(2), row.getLong(3)))
                            : Optional.empty();
                }
            }
        });
    }
}
