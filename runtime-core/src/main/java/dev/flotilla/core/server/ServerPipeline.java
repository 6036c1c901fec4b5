package dev.flotilla.core.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.observability.Tracing;
import io.helidon.http.media.MediaContext;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import org.slf4j.Logger;

/**
 * The request pipeline of one service's HTTP server, for one run: the filter that sets up each request's context,
 * counts it in flight, traces and measures it; problem details for every error (including Helidon's own direct
 * answers); the index of the service's routes (a wrong method answers 405, not 404); and {@code /openapi}, made from
 * the contracts the service registers. Not thread-safe while the routing is built; the pipeline it builds is.
 */
public final class ServerPipeline {
    private final OpenApiEndpoint openApi;
    private final RouteIndex routes;
    private final ProblemSender problems;
    private final RequestContextFilter filter;

    /**
     * Makes the pipeline of one run of a service.
     *
     * @param service the service's name
     * @param version the service's version, published in {@code /openapi}
     * @param inFlight the service's in-flight count, kept across runs
     * @param metrics the run's meter registry
     * @param json the JSON mapper of problem bodies
     * @param media the media context of request and response bodies
     * @param tracing the run's tracing
     * @param logger the service's logger, for errors answered with 500
     */
    public ServerPipeline(String service, String version, InFlightRequests inFlight, MeterRegistry metrics,
                          ObjectMapper json, MediaContext media, Tracing tracing, Logger logger) {
        this.openApi = new OpenApiEndpoint(service, version, metrics);
        this.routes = new RouteIndex(openApi::registered);
        this.problems = new ProblemSender(new ProblemResponses(json, logger), routes);
        this.filter = new RequestContextFilter(service, inFlight, problems, openApi, tracing,
                                               new HttpServerMetrics(service, metrics), media);
    }

    /**
     * A routing builder that runs every request through the pipeline and answers every error with problem details.
     *
     * @return a new builder
     */
    public HttpRouting.Builder routing() {
        return HttpRouting.builder().addFilter(filter).error(Throwable.class, problems);
    }

    /**
     * The rules the service registers its routes on: they go to {@code delegate}, and are indexed for 405 answers
     * and {@code /openapi}.
     *
     * @param delegate the rules of the routing being built
     * @return rules that record what is registered
     */
    public HttpRules recording(HttpRules delegate) {
        return routes.recording(delegate);
    }

    /**
     * Adds {@code /openapi} (JSON, or YAML on request) to the routing, after the service's own routes.
     *
     * @param routing the routing being built
     */
    public void publishOpenApi(HttpRouting.Builder routing) {
        openApi.routing(routing);
    }

    /**
     * Handlers that answer Helidon's own errors (bad requests, payloads too large, ...) with problem details.
     *
     * @return the handlers, one for each event type
     */
    public DirectHandlers directHandlers() {
        DirectHandlers.Builder direct = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            direct.addHandler(type, problems);
        }
        return direct.build();
    }
}
