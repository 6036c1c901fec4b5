package ${package};

import ${package}.api.${classPrefix}Api;
import dev.flotilla.core.Flotilla;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import io.helidon.webserver.http.HttpRules;

/**
 * The ${rootArtifactId}-service: serves {@link ${classPrefix}Api}. Flotilla adds /health/live, /health/ready and
 * /metrics; the service's own health checks would go in {@code healthChecks(context)}.
 */
public final class ${classPrefix}Service extends Service {

    /** Creates the service. */
    public ${classPrefix}Service() {
        super(${classPrefix}Api.SERVICE, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        String salutation = context.config().get("greeting.salutation").asString().orElse("Hello");
        rules.register(HttpContracts.serve(${classPrefix}Api.class, new ${classPrefix}Resource(salutation, context)));
    }

    /**
     * Runs the service as its own process.
     *
     * @param args {@code --key=value} configuration overrides, such as {@code --server.port=9090}
     */
    public static void main(String[] args) {
        Flotilla.run(new ${classPrefix}Service(), args);
    }
}
