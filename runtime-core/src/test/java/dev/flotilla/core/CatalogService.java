package dev.flotilla.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.ConflictException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.UnavailableException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import org.slf4j.MDC;
import dev.flotilla.core.observability.CallContext;

/** A small service with one route per behaviour the runtime tests exercise. */
final class CatalogService extends Service {
    record Item(String name, int quantity) {
    }

    /** Released by a test to let requests to {@code /slow} finish. */
    final CountDownLatch releaseSlow = new CountDownLatch(1);
    /** Counted down when a request to {@code /slow} has started. */
    final CountDownLatch slowStarted = new CountDownLatch(1);

    CatalogService() {
        this("catalog-service");
    }

    CatalogService(String name) {
        super(name, "1.2.3");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        String greeting = context.config().get("greeting").asString().orElse("hello");
        rules.get("/greet/{name}", (req, res) -> res.send(Map.of(
                        "greeting", greeting + " " + req.path().pathParameters().get("name"),
                        "service", context.name())))
                .post("/items", (req, res) -> {
                    Item item = req.content().as(Item.class);
                    res.status(Status.CREATED_201).send(item);
                })
                .get("/items/{id}", (req, res) -> {
                    throw new NotFoundException("No item with id " + req.path().pathParameters().get("id"));
                })
                .get("/conflict", (req, res) -> {
                    throw new ConflictException("Item already exists");
                })
                .get("/bad", (req, res) -> {
                    throw new BadRequestException("Parameter 'size' must be positive");
                })
                .get("/unavailable", (req, res) -> {
                    throw new UnavailableException("Inventory is down");
                })
                .get("/boom", (req, res) -> {
                    throw new IllegalStateException("database password=hunter2 at db.internal:5432");
                })
                .get("/slow", (req, res) -> {
                    slowStarted.countDown();
                    // The slow handler is the scenario: it finishes when the test releases it.
                    boolean released = releaseSlow.await(30, TimeUnit.SECONDS);
                    res.send(released ? "done" : "timed out");
                })
                .get("/log", (req, res) -> {
                    context.logger().info("handling /log");
                    res.send(Map.of("service", String.valueOf(MDC.get(CallContext.MDC_SERVICE)),
                                    "correlationId", String.valueOf(MDC.get(CallContext.MDC_CORRELATION_ID))));
                });
    }

    static Map<String, String> ephemeral() {
        return Map.of("server.port", "0", "server.host", "127.0.0.1",
                      "shutdown.grace-period", "PT0S", "shutdown.drain-timeout", Duration.ofSeconds(10).toString());
    }
}
