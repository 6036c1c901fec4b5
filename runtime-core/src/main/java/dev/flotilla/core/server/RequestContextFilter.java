package dev.flotilla.core.server;

import dev.flotilla.core.http.internal.ServedRequests.DeprecatedCallListener;
import dev.flotilla.core.http.internal.ServedRequests;
import dev.flotilla.resilience.Deadline;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.media.MediaContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.trace.SpanKind;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.core.observability.CallContext;

/**
 * Runs every request in its {@link CallContext} (service name, correlation id, trace, deadline; and so the MDC) and
 * a server span (a child of the caller's {@code traceparent}, or a new trace), counts it in the route's RED metrics,
 * echoes the id in the response, and
 * counts the request as in flight (or refuses it with 503 while the service drains). Health, metrics and the
 * published contract ({@code /openapi}, {@code /asyncapi}) are never refused, so probes keep answering during a
 * stop. While the request is routed, the service's {@link ServedRequests} (its {@link DeprecatedCallListener} and
 * JSON writing) is {@link ServedRequests#current() current} on its thread, for served contracts.
 */
final class RequestContextFilter implements Filter {
    private static final HeaderName TRACEPARENT = HeaderNames.create(CallContext.TRACEPARENT_HEADER);
    private static final HeaderName TRACESTATE = HeaderNames.create(CallContext.TRACESTATE_HEADER);
    private static final HeaderName DEADLINE = HeaderNames.create(CallContext.DEADLINE_HEADER);

    private final String serviceName;
    private final InFlightRequests inFlight;
    private final ProblemSender problems;
    /** Current while a request is routed: what served contracts use (deprecated calls, JSON writing). */
    private final ServedRequests served;
    private final Tracing tracing;
    private final HttpServerMetrics metrics;

    RequestContextFilter(String serviceName, InFlightRequests inFlight, ProblemSender problems,
                         DeprecatedCallListener deprecatedCalls, Tracing tracing, HttpServerMetrics metrics,
                         MediaContext media) {
        this.serviceName = serviceName;
        this.inFlight = inFlight;
        this.problems = problems;
        this.served = new ServedRequests(deprecatedCalls, problems.json(), media);
        this.tracing = tracing;
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.prologue().uriPath().path();
        if (isObservePath(path)) {
            // Probes and scrapes: correlated like any request, but neither traced nor counted.
            CallContext.Scope scope = context(req, res, null).open();
            try {
                chain.proceed();
            } finally {
                scope.close();
            }
            return;
        }
        long began = System.nanoTime();
        String method = req.prologue().method().text();
        Tracing.Span span = tracing.start(method, SpanKind.SERVER, req.headers().first(TRACEPARENT).orElse(null),
                                          req.headers().first(TRACESTATE).orElse(null));
        CallContext call = context(req, res, span);
        CallContext.Scope scope = call.open();
        Throwable failure = null;
        ServedRequests previousServed = served.enter();
        try {
            if (!inFlight.enter()) {
                res.header(HeaderValues.CONNECTION_CLOSE);
                res.header(HeaderNames.RETRY_AFTER, "1");
                problems.send(res, ProblemResponses.draining()
                        .withRequest(ProblemResponses.safeInstance(path), call.correlationId()));
                return;
            }
            try {
                chain.proceed();
            } finally {
                inFlight.exit();
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            // A handler that threw past the error handlers leaves Helidon to answer 500.
            int status = failure != null ? 500 : res.status().code();
            String route = req.matchingPattern().orElse(HttpServerMetrics.UNMATCHED);
            metrics.record(method, route, status, System.nanoTime() - began);
            if (span.recording()) {
                span.name(method + " " + route)
                        .attribute("http.request.method", method)
                        .attribute("http.route", route)
                        .attribute("url.path", path)
                        .attribute("http.response.status_code", status);
                if (status >= 500) {
                    span.failed(failure);
                }
            }
            span.end();
            ServedRequests.restore(previousServed);
            scope.close();
        }
    }

    private CallContext context(RoutingRequest req, RoutingResponse res, Tracing.Span span) {
        CallContext call = CallContext.received(
                serviceName, req.headers().first(ProblemSender.REQUEST_ID).orElse(null),
                span != null ? span.traceParent() : req.headers().first(TRACEPARENT).orElse(null),
                span != null ? span.traceState() : req.headers().first(TRACESTATE).orElse(null),
                deadline(req.headers().first(DEADLINE).orElse(null)));
        res.header(HeaderValues.create(ProblemSender.REQUEST_ID, call.correlationId()));
        return call;
    }

    /** The caller's remaining budget; ignored when not a sane number of milliseconds. */
    static Deadline deadline(String header) {
        return CallContext.receivedDeadline(header).orElse(null);
    }

    static boolean isObservePath(String path) {
        return path.equals("/health") || path.startsWith("/health/")
                || path.equals("/metrics") || path.startsWith("/metrics/")
                || path.equals(OpenApiEndpoint.PATH) || path.equals("/asyncapi");
    }
}
