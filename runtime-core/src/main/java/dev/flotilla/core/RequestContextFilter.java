package dev.flotilla.core;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import org.slf4j.MDC;

/**
 * Runs every request with the service name and correlation id in the MDC, echoes the id in the response, and
 * counts the request as in flight (or refuses it with 503 while the service drains). Health and metrics requests
 * are never refused, so probes keep answering during a stop.
 */
final class RequestContextFilter implements Filter {
    private final String serviceName;
    private final InFlightRequests inFlight;
    private final ProblemSender problems;

    RequestContextFilter(String serviceName, InFlightRequests inFlight, ProblemSender problems) {
        this.serviceName = serviceName;
        this.inFlight = inFlight;
        this.problems = problems;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String received = req.headers().first(ProblemSender.REQUEST_ID).orElse(null);
        String requestId = Correlation.isValidId(received) ? received : ProblemResponses.newRequestId();
        res.header(ProblemSender.REQUEST_ID, requestId);
        MDC.put(Correlation.MDC_SERVICE, serviceName);
        MDC.put(Correlation.MDC_CORRELATION_ID, requestId);
        try {
            String path = req.prologue().uriPath().path();
            if (isObservePath(path)) {
                chain.proceed();
                return;
            }
            if (!inFlight.enter()) {
                res.header(HeaderValues.CONNECTION_CLOSE);
                res.header(HeaderNames.RETRY_AFTER, "1");
                problems.send(res, ProblemResponses.draining().withRequest(ProblemResponses.safeInstance(path), requestId));
                return;
            }
            try {
                chain.proceed();
            } finally {
                inFlight.exit();
            }
        } finally {
            MDC.remove(Correlation.MDC_SERVICE);
            MDC.remove(Correlation.MDC_CORRELATION_ID);
        }
    }

    static boolean isObservePath(String path) {
        return path.equals("/health") || path.startsWith("/health/")
                || path.equals("/metrics") || path.startsWith("/metrics/");
    }
}
