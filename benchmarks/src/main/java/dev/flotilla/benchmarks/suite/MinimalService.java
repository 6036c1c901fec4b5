package dev.flotilla.benchmarks.suite;

import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import io.helidon.webserver.http.HttpRules;

/**
 * The smallest Flotilla service process, for scenario 9: one contract with one method and no constraints, no
 * database, started with {@link Flotilla#run}. Run by {@link ServiceStartScenario} from the same small jar as
 * {@link BareServer}, followed by the sample service's {@code lib/*.jar} (so it logs with the sample's
 * {@code logback.xml}), it shows what Flotilla's runtime adds to a start on its own (logging, JSON mapping,
 * configuration, metrics, health, the contract, in-JVM messaging) without what a real service brings (its database,
 * its contracts' constraints).
 */
public final class MinimalService extends Service {
    /** The service's one contract. */
    public interface HelloApi {
        /**
         * Greets.
         *
         * @param name who to greet
         * @return the greeting
         */
        @Get("/hello/{name}")
        String hello(@PathParam("name") String name);
    }

    private MinimalService() {
        super("minimal-service", "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        rules.register(HttpContracts.serve(HelloApi.class, name -> "hello " + name));
    }

    /**
     * Starts the service; it runs until the process is stopped.
     *
     * @param args Flotilla's command-line settings ({@code --key=value})
     */
    public static void main(String[] args) {
        Flotilla.run(new MinimalService(), args);
    }
}
