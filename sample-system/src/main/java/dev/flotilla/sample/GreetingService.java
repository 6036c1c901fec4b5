package dev.flotilla.sample;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;

/**
 * A minimal Flotilla service: the example the README and {@code docs/getting-started.md} walk through, until the
 * sample shop arrives. It keeps greetings in memory and serves them over HTTP.
 */
public final class GreetingService extends Service {

    /** A greeting as stored and served. */
    public record Greeting(long id, String name, String message) {
    }

    /** The body of {@code POST /greetings}. */
    public record NewGreeting(String name) {
    }

    private final Map<Long, Greeting> greetings = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** Creates the service. */
    public GreetingService() {
        super("greeting-service", "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        String salutation = context.config().get("greeting.salutation").asString().orElse("Hello");
        rules.post("/greetings", (req, res) -> {
            NewGreeting body = req.content().as(NewGreeting.class);
            if (body.name() == null || body.name().isBlank()) {
                throw new BadRequestException("Field 'name' is required");
            }
            long id = ids.incrementAndGet();
            Greeting greeting = new Greeting(id, body.name(), salutation + ", " + body.name() + "!");
            greetings.put(id, greeting);
            context.logger().info("Created greeting {}", id);
            res.status(Status.CREATED_201).send(greeting);
        });
        rules.get("/greetings", (req, res) -> res.send(List.copyOf(greetings.values())));
        rules.get("/greetings/{id}", (req, res) -> {
            String id = req.path().pathParameters().get("id");
            Greeting greeting = parseId(id) == null ? null : greetings.get(parseId(id));
            if (greeting == null) {
                throw new NotFoundException("No greeting with id " + id);
            }
            res.send(greeting);
        });
    }

    private static Long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Runs the service as its own process.
     *
     * @param args {@code --key=value} configuration overrides, such as {@code --server.port=9090}
     */
    public static void main(String[] args) {
        Flotilla.run(new GreetingService(), args);
    }
}
