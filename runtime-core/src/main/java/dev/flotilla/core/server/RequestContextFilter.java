package dev.flotilla.core.server;

import dev.flotilla.core.http.internal.ServedRequests.DeprecatedCallListener;
import dev.flotilla.core.http.internal.ServedRequests;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.security.Caller;
import dev.flotilla.core.security.internal.HttpAuthenticator;
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
 * the verified {@link Caller} (a credential that does not verify is answered 401 here, before routing),
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
    private static final HeaderName API_KEY = HeaderNames.create(HttpAuthenticator.API_KEY_HEADER);
    private static final HeaderName SERVICE_TOKEN = HeaderNames.create(HttpAuthenticator.SERVICE_TOKEN_HEADER);
    private static final HeaderName WWW_AUTHENTICATE = HeaderNames.create("WWW-Authenticate");
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestContextFilter.class);

    private final String serviceName;
    private final InFlightRequests inFlight;
    private final ProblemSender problems;
    /** Current while a request is routed: what served contracts use (deprecated calls, JSON writing). */
    private final ServedRequests served;
    private final Tracing tracing;
    private final HttpServerMetrics metrics;
    private final HttpAuthenticator authenticator;
    /** Whether any credential is looked at: when not, no header is read for it. */
    private final boolean authenticates;

    RequestContextFilter(String serviceName, InFlightRequests inFlight, ProblemSender problems,
                         DeprecatedCallListener deprecatedCalls, Tracing tracing, HttpServerMetrics metrics,
                         MediaContext media, HttpAuthenticator authenticator) {
        this.serviceName = serviceName;
        this.inFlight = inFlight;
        this.problems = problems;
        this.authenticator = authenticator;
        this.authenticates = authenticator.canAuthenticate();
        this.served = new ServedRequests(deprecatedCalls, problems.json(), media, authenticator.enabled(),
                                         authenticates, authenticator.usesBearerTokens());
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
        Caller caller = Caller.anonymous();
        HttpAuthenticator.Refused refused = null;
        if (authenticates) {
            try {
                caller = authenticate(req);
            } catch (HttpAuthenticator.Refused e) {
                refused = e;
            }
        }
        CallContext call = context(req, res, span);
        if (caller.authenticated()) {
            call = call.withCaller(caller);
        }
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
                if (refused != null) {
                    refuse(refused, path, call, res);
                    return;
                }
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

    private Caller authenticate(RoutingRequest req) throws HttpAuthenticator.Refused {
        return authenticator.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null),
                                          req.headers().first(API_KEY).orElse(null),
                                          req.headers().first(SERVICE_TOKEN).orElse(null),
                                          req.isSecure() ? req.remotePeer().tlsCertificates().orElse(null) : null);
    }

    /** 401 for a credential that does not verify; the reason is logged (never the credential), not sent. */
    private void refuse(HttpAuthenticator.Refused refused, String path, CallContext call, RoutingResponse res) {
        LOG.debug("{} refused a credential: {}", serviceName, refused.getMessage());
        if (refused.bearer()) {
            res.header(WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        }
        problems.send(res, Problem.of("unauthorized", 401, "Unauthorized",
                                      refused.bearer() ? "The bearer token is not valid for this service (expired, "
                                              + "not yet valid, badly signed, or of another issuer or audience)."
                                              : "A credential sent with the request is not valid for this service.")
                .withRequest(ProblemResponses.safeInstance(path), call.correlationId()));
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
