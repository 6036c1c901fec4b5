package dev.flotilla.core.server;

import java.util.Set;
import java.util.StringJoiner;

import dev.flotilla.core.problem.Problem;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.NotFoundException;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.http.media.UnsupportedTypeException;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.MDC;
import dev.flotilla.core.observability.CallContext;

/**
 * Sends problem responses: as the routing's error handler for every exception a handler throws (and for
 * "no route matched"), and as the server's direct handler for requests refused before routing (oversized body,
 * unparseable request line or headers).
 */
final class ProblemSender implements ErrorHandler<Throwable>, DirectHandler {
    static final HeaderName REQUEST_ID = HeaderNames.create(CallContext.REQUEST_ID_HEADER);

    private final ProblemResponses problems;
    private final RouteIndex routes;

    ProblemSender(ProblemResponses problems, RouteIndex routes) {
        this.problems = problems;
        this.routes = routes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res, Throwable e) {
        String path = req.prologue().uriPath().path();
        String requestId = MDC.get(CallContext.MDC_CORRELATION_ID);
        Problem problem;
        if (e instanceof NotFoundException) {
            Set<Method> allowed = routes.allowedMethods(path);
            if (allowed.isEmpty()) {
                problem = ProblemResponses.notFound();
            } else {
                StringJoiner allow = new StringJoiner(", ");
                allowed.forEach(m -> allow.add(m.text()));
                res.header(HeaderNames.ALLOW, allow.toString());
                problem = ProblemResponses.methodNotAllowed(allowed);
            }
            problem = problem.withRequest(ProblemResponses.safeInstance(path), requestId);
        } else if (unsupportedType(e) && req.content().hasEntity() && !hasJsonBody(req)) {
            // No reader for the body's media type: the caller sent something other than JSON.
            problem = Problem.of("unsupported-media-type", 415, "Unsupported Media Type",
                                 "Send the request body as JSON, with Content-Type: application/json.")
                    .withRequest(ProblemResponses.safeInstance(path), requestId);
        } else if (unsupportedType(e)) {
            // No writer for what the caller accepts: its Accept header admits no JSON.
            problem = Problem.of("not-acceptable", 406, "Not Acceptable",
                                 "This operation answers application/json: accept it (or */*).")
                    .withRequest(ProblemResponses.safeInstance(path), requestId);
        } else {
            problem = problems.fromException(e, req.prologue().method().text(), path, requestId);
        }
        send(res, problem);
    }

    /**
     * Whether no media support reads or writes the entity: Helidon's own exception, or the 415 it answers a response
     * no writer takes with (its message names our classes; it is not sent).
     */
    private static boolean unsupportedType(Throwable e) {
        return e instanceof UnsupportedTypeException || e.getCause() instanceof UnsupportedTypeException
                || e instanceof HttpException he && he.status().code() == 415;
    }

    private static boolean hasJsonBody(ServerRequest req) {
        return req.headers().contentType()
                .map(type -> type.test(MediaTypes.APPLICATION_JSON) || type.subtype().endsWith("+json"))
                .orElse(false);
    }

    /** The service's JSON mapper, which problems and bodies are written with. */
    com.fasterxml.jackson.databind.ObjectMapper json() {
        return problems.json();
    }

    void send(ServerResponse res, Problem problem) {
        res.status(Status.create(problem.status()));
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.send(problems.toJson(problem));
    }

    @Override
    public TransportResponse handle(TransportRequest request,
                                    EventType eventType,
                                    Status defaultStatus,
                                    ServerResponseHeaders responseHeaders,
                                    Throwable thrown,
                                    System.Logger logger) {
        String detail = null;
        if (thrown instanceof RequestException re && re.safeMessage()) {
            detail = thrown.getMessage();
        }
        Status status = defaultStatus;
        if (status.code() >= 500 && unparseable(thrown)) {
            // Helidon reports some unreadable prologues (a control character in the method) as an internal error;
            // the request was bad, the server is fine.
            status = Status.BAD_REQUEST_400;
        }
        return respond(request, eventType, status, responseHeaders, detail);
    }

    /** Whether a failure before routing came from reading the request: an illegal argument down the causes. */
    private static boolean unparseable(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public TransportResponse handle(TransportRequest request,
                                    EventType eventType,
                                    Status defaultStatus,
                                    ServerResponseHeaders responseHeaders,
                                    String message) {
        // The message may echo unsafe input; only the generic text goes out.
        Status status = defaultStatus;
        if (status.code() >= 500 && (request.method().isBlank() || request.path().isBlank())) {
            // Helidon reports a prologue it could not parse (a control character in the method) as an internal
            // error, with no method or path read yet: the request was bad, the server is fine.
            status = Status.BAD_REQUEST_400;
        }
        return respond(request, eventType, status, responseHeaders, null);
    }

    private TransportResponse respond(TransportRequest request,
                                      EventType eventType,
                                      Status status,
                                      ServerResponseHeaders responseHeaders,
                                      String safeDetail) {
        int code = status.code();
        Problem problem;
        if (code == 413) {
            problem = ProblemResponses.payloadTooLarge();
        } else if (code >= 500) {
            problem = ProblemResponses.internalError();
        } else {
            problem = Problem.of(ProblemResponses.slugFor(code), code, status.reasonPhrase(),
                                 safeDetail == null ? "The request could not be read." : safeDetail);
        }
        String received = request.headers().first(REQUEST_ID).orElse(null);
        String requestId = CallContext.isValidCorrelationId(received) ? received : CallContext.newCorrelationId();
        problem = problem.withRequest(ProblemResponses.safeInstance(request.path()), requestId);
        return TransportResponse.builder()
                .status(status)
                .headers(responseHeaders)
                .header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .header(REQUEST_ID, requestId)
                .keepAlive(eventType.keepAlive())
                .entity(problems.toJson(problem))
                .build();
    }
}
