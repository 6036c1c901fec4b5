package dev.flotilla.sample.product;

import java.util.Map;

import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.sample.product.api.ProductApi;
import dev.flotilla.sample.product.api.ProductApi.NewProduct;
import dev.flotilla.sample.product.api.ProductApi.Product;
import dev.flotilla.sample.product.api.ProductCreated;
import dev.flotilla.testkit.Messages;
import dev.flotilla.testkit.NatsMode;
import dev.flotilla.testkit.TestSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The product-service alone: its contract and the event it publishes. */
class ProductServiceTest {
    @RegisterExtension
    static final TestSystem SYSTEM = TestSystem.builder().nats(NatsMode.IN_JVM).userTokens()
            .addService(new ProductService(), Map.of("db.url", "jdbc:h2:mem:product-service-test;DB_CLOSE_DELAY=-1"))
            .build();

    @Test
    void aNewProductIsStoredAndAnnouncedWithItsInitialStock(Messages messages) {
        ProductApi products = operatorClient();
        Product product = products.create(new NewProduct("Lamp", 1999, 7));
        assertEquals(product, products.get(product.id()));
        assertEquals(new ProductCreated(product.id(), "Lamp", 1999, 7),
                     messages.await(ProductCreated.SUBJECT, ProductCreated.class,
                                    e -> e.productId().equals(product.id())));
    }

    @Test
    void refusesAMissingNameAndNegativeNumbers() {
        ProductApi products = operatorClient();
        assertThrows(RemoteBadRequestException.class, () -> products.create(new NewProduct(" ", 1, 1)));
        assertThrows(RemoteBadRequestException.class, () -> products.create(new NewProduct("Lamp", -1, 1)));
        assertThrows(RemoteBadRequestException.class, () -> products.create(new NewProduct("Lamp", 1, -1)));
    }

    /** Products are created by a signed-in operator. */
    private static ProductApi operatorClient() {
        return SYSTEM.client(ProductApi.class, ProductApi.SERVICE, SYSTEM.userToken("catalog-operator",
                                                                                    ProductApi.OPERATOR));
    }
}
