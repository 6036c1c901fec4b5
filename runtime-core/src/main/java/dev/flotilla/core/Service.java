package dev.flotilla.core;

import java.util.List;
import java.util.Objects;

import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRules;

/**
 * The base class a team extends once per service.
 *
 * <p>A service has a name and a version and overrides the hooks it needs:
 * <ul>
 *     <li>{@link #routes(HttpRules, ServiceContext)}: its HTTP routes, on Helidon's routing;</li>
 *     <li>{@link #start(ServiceContext)}: start-up work, run after the server listens and before the service is
 *     ready;</li>
 *     <li>{@link #stop(ServiceContext)}: shutdown work, run after requests in flight have finished;</li>
 *     <li>{@link #healthChecks(ServiceContext)}: its own health checks, shown under {@code /health}.</li>
 * </ul>
 * Run it alone with {@link Flotilla#run(Service, String...)}, or beside others with {@link ServiceRuntime}.
 * A service object may be started again after it stopped; keep per-run state in fields set by
 * {@link #start(ServiceContext)}.
 *
 * <pre>{@code
 * public final class GreetingService extends Service {
 *     public GreetingService() {
 *         super("greeting-service", "1.0.0");
 *     }
 *
 *     @Override
 *     protected void routes(HttpRules rules, ServiceContext context) {
 *         rules.get("/hello/{name}", (req, res) -> res.send("Hello " + req.path().pathParameters().get("name")));
 *     }
 *
 *     public static void main(String[] args) {
 *         Flotilla.run(new GreetingService(), args);
 *     }
 * }
 * }</pre>
 */
public abstract class Service {

    private final String name;
    private final String version;

    /**
     * Creates a service.
     *
     * @param name    the service's name: lower case letters, digits and dashes, starting with a letter, such as
     *                {@code order-service}; it names the service's config section, logger, queue group and
     *                discovery entry
     * @param version the service's version, such as {@code 1.0.0}
     * @throws NullPointerException     if {@code name} or {@code version} is {@code null}
     * @throws IllegalArgumentException if {@code name} is not of the form above, or {@code version} is blank
     */
    protected Service(String name, String version) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("Service name '" + name
                    + "' is invalid: use lower case letters, digits and dashes, starting with a letter (e.g. order-service)");
        }
        if (version.isBlank()) {
            throw new IllegalArgumentException("Service version of '" + name + "' is blank: give one such as 1.0.0");
        }
        this.name = name;
        this.version = version;
    }

    /**
     * The service's name.
     *
     * @return the name; never {@code null}
     */
    public final String name() {
        return name;
    }

    /**
     * The service's version.
     *
     * @return the version; never {@code null}
     */
    public final String version() {
        return version;
    }

    /**
     * Declares the service's HTTP routes. Called once per start, before the server listens. Handlers run on
     * virtual threads, so blocking code is fine. An exception thrown by a handler reaches the caller as an RFC 9457
     * problem response (see {@link dev.flotilla.core.problem.ProblemException}).
     *
     * @param rules   Helidon's routing rules for this service
     * @param context the service's context
     */
    protected void routes(HttpRules rules, ServiceContext context) {
    }

    /**
     * Start-up work: open pools, create schemas, subscribe. The server already answers {@code /health/live};
     * the service becomes ready when this returns.
     *
     * @param context the service's context
     * @throws Exception if start-up fails; the service is then stopped and its start fails with
     *                   {@link ServiceStartException}
     */
    protected void start(ServiceContext context) throws Exception {
    }

    /**
     * Shutdown work, called once requests in flight have finished. Resources registered with
     * {@link ServiceContext#closeOnStop(AutoCloseable)} close after this, in reverse order.
     *
     * @param context the service's context
     * @throws Exception if shutdown work fails; the runtime logs it and goes on stopping
     */
    protected void stop(ServiceContext context) throws Exception {
    }

    /**
     * The service's own health checks. Checks of type {@code READINESS} take part in {@code /health/ready},
     * checks of type {@code LIVENESS} in {@code /health/live}.
     *
     * @param context the service's context
     * @return the checks; an empty list by default
     */
    protected List<HealthCheck> healthChecks(ServiceContext context) {
        return List.of();
    }

    @Override
    public String toString() {
        return name + " " + version;
    }
}
