package dev.flotilla.core.http;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import io.helidon.webserver.http.HttpRules;

/** Serves {@link CatalogApi}; each instance has its own resource. */
final class CatalogServer extends Service {
    final CatalogResource resource = new CatalogResource();

    CatalogServer() {
        super("catalog-service", "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        rules.register(HttpContracts.serve(CatalogApi.class, resource));
        rules.get("/hand-written", (req, res) -> res.send("beside the contract"));
    }
}
