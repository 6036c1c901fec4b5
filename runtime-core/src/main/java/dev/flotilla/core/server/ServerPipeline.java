package dev.flotilla.core.server;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.core.security.internal.HttpAuthenticator;
import io.helidon.http.media.MediaContext;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import org.slf4j.Logger;

/**
 * The request pipeline of one service's HTTP server: the filter that sets up each request's context, counts it in
 * flight, traces and measures it; problem details for every error (including Helidon's own direct answers); the index
 * of the service's routes (a wrong method answers 405, not 404); and {@code /openapi}, made from the contracts the
 * service registers. One pipeline serves a service for its whole life; each start builds a new {@link Run}.
 * Thread-safe.
 */
public final class ServerPipeline {
    private final InFlightRequests inFlight = new InFlightRequests();

    /** Makes the pipeline of one service, with nothing in flight. */
    public ServerPipeline() {
    }

    /**
     * Starts a run of the service: accepts requests again after a stop, and makes what this run's routing needs.
     *
     * @param service the service's name
     * @param version the service's version, published in {@code /openapi}
     * @param metrics the run's meter registry
     * @param json the JSON mapper of problem bodies
     * @param media the media context of request and response bodies
     * @param tracing the run's tracing
     * @param logger the service's logger, for errors answered with 500
     * @return the run's routing parts
     */
    public Run start(String service, String version, MeterRegistry metrics, ObjectMapper json, MediaContext media,
                     Tracing tracing, Logger logger) {
        return start(service, version, metrics, json, media, tracing, logger, HttpAuthenticator.none(service));
    }

    /**
     * Starts a run of the service that authenticates its callers: accepts requests again after a stop, and makes
     * what this run's routing needs.
     *
     * @param service the service's name
     * @param version the service's version, published in {@code /openapi}
     * @param metrics the run's meter registry
     * @param json the JSON mapper of problem bodies
     * @param media the media context of request and response bodies
     * @param tracing the run's tracing
     * @param logger the service's logger, for errors answered with 500
     * @param authenticator who calls: verifies each request's credentials; its schemes are published
     * @return the run's routing parts
     */
    public Run start(String service, String version, MeterRegistry metrics, ObjectMapper json, MediaContext media,
                     Tracing tracing, Logger logger, HttpAuthenticator authenticator) {
        inFlight.reset();
        return new Run(service, version, inFlight, metrics, json, media, tracing, logger, authenticator);
    }

    /**
     * Refuses new requests from now on and waits until those in flight have finished.
     *
     * @param timeout how long to wait at most
     * @return how many requests were still in flight when the wait ended; 0 if all finished
     * @throws InterruptedException if interrupted while waiting
     */
    public int drain(Duration timeout) throws InterruptedException {
        return inFlight.drain(timeout);
    }

    /** The routing parts of one run. Not thread-safe while the routing is built; what it builds is. */
    public static final class Run {
        private final OpenApiEndpoint openApi;
        private final RouteIndex routes;
        private final ProblemSender problems;
        private final RequestContextFilter filter;

        private Run(String service, String version, InFlightRequests inFlight, MeterRegistry metrics,
                    ObjectMapper json, MediaContext media, Tracing tracing, Logger logger,
                    HttpAuthenticator authenticator) {
            this.openApi = new OpenApiEndpoint(service, version, metrics, authenticator);
            this.routes = new RouteIndex(openApi::registered);
            this.problems = new ProblemSender(new ProblemResponses(json, logger), routes);
            this.filter = new RequestContextFilter(service, inFlight, problems, openApi, tracing,
                                                   new HttpServerMetrics(service, metrics), media, authenticator);
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
}
