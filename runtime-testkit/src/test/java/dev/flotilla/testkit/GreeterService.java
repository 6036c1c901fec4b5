package dev.flotilla.testkit;

import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.messaging.Messaging;
import io.helidon.webserver.http.HttpRules;

/** Greets over HTTP and publishes {@code greetings.greeted.v1}. */
final class GreeterService extends Service {
    static final String GREETED = "greetings.greeted.v1";

    GreeterService() {
        super("greeter-service", "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        AtomicLong greeted = new AtomicLong();
        rules.register(HttpContracts.serve(GreeterApi.class, new GreeterApi() {
            @Override
            public Greeted greet(Greet request) {
                Greeted event = new Greeted(request.name(), "Hello, " + request.name() + "!");
                context.logger().info("Greeting {}", request.name());
                context.extension(Messaging.class).publish(GREETED, event);
                greeted.incrementAndGet();
                return event;
            }

            @Override
            public long count() {
                return greeted.get();
            }
        }));
    }
}
