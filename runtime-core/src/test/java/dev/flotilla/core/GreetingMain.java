package dev.flotilla.core;

import io.helidon.webserver.http.HttpRules;

/** A service run as its own process by {@link ProcessShutdownTest}. */
public final class GreetingMain extends Service {
    GreetingMain() {
        super("greeting-service", "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        rules.get("/hello", (req, res) -> res.send("hello"));
    }

    @Override
    protected void stop(ServiceContext context) {
        context.logger().info("greeting-service shutdown hook ran");
    }

    /**
     * Runs the service.
     *
     * @param args {@code --key=value} overrides
     */
    public static void main(String[] args) {
        Flotilla.run(new GreetingMain(), args);
    }
}
