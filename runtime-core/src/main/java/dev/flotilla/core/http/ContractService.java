package dev.flotilla.core.http;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.flotilla.core.http.internal.ServedRequests;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.security.Caller;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;
import io.helidon.common.GenericType;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A contract interface served by an implementation, as made by {@link HttpContracts#serve(Class, Object)}: one
 * Helidon route per contract method, binding path, query, header and body parameters, and writing the result as
 * JSON with the method's status.
 *
 * <p>Methods marked {@link Sunset} or {@link Deprecated} answer with {@code Deprecation} and {@code Sunset}
 * headers, and each call to them is counted per calling service (the verified calling service if any, else the
 * unverified {@value HttpContracts#CALLER_HEADER} label Flotilla's clients send, or {@code unknown}): see {@link #deprecatedCalls()}. The first call from each caller is
 * logged at WARN. When served inside a Flotilla service the calls are also counted as the metric
 * {@code flotilla.http.deprecated.calls} tagged {@code service}, {@code operation} and {@code caller}, and the
 * contract is part of the service's {@code /openapi} document.
 *
 * <p>Who may call each method is checked before its parameters are read: see
 * {@link dev.flotilla.core.security.Access} and {@link dev.flotilla.core.security.Anonymous}.
 *
 * <p>Thread-safe.
 */
public final class ContractService implements HttpService {
    private static final Logger LOG = LoggerFactory.getLogger(HttpContracts.class);
    private static final HeaderName CALLER = HeaderNames.create(HttpContracts.CALLER_HEADER);
    private static final HeaderName DEPRECATION = HeaderNames.create("Deprecation");
    private static final HeaderName SUNSET = HeaderNames.create("Sunset");
    private static final HeaderName WWW_AUTHENTICATE = HeaderNames.create("WWW-Authenticate");
    /** Caller names are sent by clients: beyond this many per operation they are counted as "other". */
    private static final int MAX_CALLERS = 100;
    private static final Pattern CALLER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Class<?> contract;
    private final List<Route> routes;
    private final ContractValidator validator;
    private final Map<String, Map<String, LongAdder>> deprecatedCalls = new ConcurrentHashMap<>();

    /** A served method: its endpoint, and the implementation's method taking the arguments as one array. */
    private record Route(Endpoint endpoint, MethodHandle target) {
    }

    ContractService(Class<?> contract, Object implementation) {
        this.contract = contract;
        List<Route> parsed = new ArrayList<>();
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        List<Endpoint> endpoints = Endpoint.parseContract(contract);
        this.validator = ContractValidator.create(contract, endpoints);
        for (Endpoint endpoint : endpoints) {
            if (endpoint.access().conflict() != null) {
                throw Endpoint.error(endpoint.method(), endpoint.access().conflict() + ".");
            }
            try {
                MethodHandle bound = lookup.unreflect(endpoint.method()).asFixedArity().bindTo(implementation);
                // (Object[])Object: invoked exactly, with no per-call adaptation as invokeWithArguments does.
                MethodHandle spread = bound.asType(bound.type().generic())
                        .asSpreader(Object[].class, bound.type().parameterCount())
                        .asType(MethodType.methodType(Object.class, Object[].class));
                parsed.add(new Route(endpoint, spread));
            } catch (IllegalAccessException e) {
                throw new ContractException("Contract " + contract.getName() + " must be public to be served: "
                                                    + e.getMessage());
            }
        }
        this.routes = List.copyOf(parsed);
    }

    /**
     * The contract interface served.
     *
     * @return the interface
     */
    public Class<?> contract() {
        return contract;
    }

    /**
     * How often each deprecated operation was called, per calling service, since this object was made.
     *
     * @return operation (such as {@code GET /v1/items/{id}}) to caller name to count; a snapshot, empty when no
     *         deprecated operation was called
     */
    public Map<String, Map<String, Long>> deprecatedCalls() {
        Map<String, Map<String, Long>> copy = new TreeMap<>();
        deprecatedCalls.forEach((operation, callers) -> {
            Map<String, Long> counts = new TreeMap<>();
            callers.forEach((caller, count) -> counts.put(caller, count.sum()));
            copy.put(operation, Collections.unmodifiableMap(counts));
        });
        return Collections.unmodifiableMap(copy);
    }

    @Override
    public void routing(HttpRules rules) {
        for (Route route : routes) {
            Endpoint endpoint = route.endpoint();
            Handler handler = (req, res) -> handle(route, req, res);
            rules.route(Method.create(endpoint.httpMethod()), endpoint.path(), handler);
        }
    }

    private void handle(Route route, ServerRequest req, ServerResponse res) throws Exception {
        Endpoint endpoint = route.endpoint();
        authorize(endpoint, res);
        endpoint.deprecation().ifPresent(deprecation -> deprecated(endpoint, deprecation, req, res));
        List<Endpoint.Param> params = endpoint.params();
        Object[] args = new Object[params.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = bind(params.get(i), req);
        }
        validator.checkServed(endpoint, args);
        Object result;
        try {
            result = (Object) route.target().invokeExact(args);
            if (endpoint.async() && result instanceof CompletableFuture<?> future) {
                result = await(future);
            }
        } catch (ProblemException e) {
            throw declaredOrFailure(endpoint, e);
        } catch (Exception e) {
            throw e;
        } catch (Throwable t) {
            if (t instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(t);
        }
        write(endpoint, result, req, res);
    }

    /**
     * Refuses a caller the method does not admit, before anything of the request is read: 401 when it is not
     * authenticated, 403 when it is but does not qualify. The caller is the one the service's request pipeline
     * verified; served outside a Flotilla service no caller is ever authenticated, so a method with {@code @Access}
     * refuses every call.
     */
    private void authorize(Endpoint endpoint, ServerResponse res) {
        AccessRule rule = endpoint.access();
        ServedRequests served = ServedRequests.current();
        boolean securityOn = served != null && served.securityOn();
        if (!rule.declared() && !securityOn) {
            return;
        }
        Caller caller = CallContext.current().map(CallContext::caller).orElse(Caller.anonymous());
        switch (rule.judge(caller, securityOn)) {
            case ALLOWED -> { }
            case UNAUTHENTICATED -> {
                if (served != null && served.bearerTokens()) {
                    res.header(WWW_AUTHENTICATE, "Bearer");
                }
                boolean possible = served != null && served.canAuthenticate();
                throw new ProblemException(Problem.of("unauthorized", 401, "Unauthorized", possible
                        ? "Operation " + endpoint.operation() + " requires " + rule.requirement()
                                + ": send valid credentials."
                        : "Operation " + endpoint.operation() + " requires " + rule.requirement()
                                + ", and this service has no way to authenticate callers (see security.* settings)."));
            }
            case FORBIDDEN -> throw new ProblemException(Problem.of(
                    "forbidden", 403, "Forbidden",
                    "Operation " + endpoint.operation() + " requires " + rule.requirement() + "."));
        }
    }

    /**
     * A problem the method may answer: any {@link ProblemException}, except one of a {@link ProblemType} the method
     * does not declare, which fails the request (500) instead: the published contract tells every problem type an
     * operation answers, and a declared exception received from a downstream must not leak through a method that
     * did not promise it.
     */
    private RuntimeException declaredOrFailure(Endpoint endpoint, ProblemException e) {
        if (!e.getClass().isAnnotationPresent(ProblemType.class) || endpoint.problems().declares(e)) {
            return e;
        }
        return new IllegalStateException(contract.getSimpleName() + "." + endpoint.method().getName() + " threw "
                + e.getClass().getSimpleName() + " (" + e.problem().status() + " " + e.problem().type()
                + "), which it does not declare, so it was answered with 500: declare it in the method's throws "
                + "clause, or catch it", e);
    }

    private void deprecated(Endpoint endpoint, Endpoint.Deprecation deprecation, ServerRequest req,
                            ServerResponse res) {
        res.header(DEPRECATION, deprecation.since() == null ? "true"
                : "@" + deprecation.since().atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        if (deprecation.sunset() != null) {
            res.header(SUNSET, DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    deprecation.sunset().atStartOfDay(ZoneOffset.UTC)));
        }
        // The verified calling service if there is one; else the unverified label clients send, for counting only.
        String caller = CallContext.current().flatMap(c -> c.caller().service())
                .or(() -> req.headers().first(CALLER).filter(c -> CALLER_NAME.matcher(c).matches()))
                .orElse("unknown");
        Map<String, LongAdder> callers = deprecatedCalls.computeIfAbsent(endpoint.operation(),
                                                                         o -> new ConcurrentHashMap<>());
        if (!callers.containsKey(caller) && callers.size() >= MAX_CALLERS) {
            caller = "other";
        }
        boolean[] first = new boolean[1];
        callers.computeIfAbsent(caller, c -> {
            first[0] = true;
            return new LongAdder();
        }).increment();
        if (first[0]) {
            LOG.warn("Deprecated operation {} ({}.{}{}) called by '{}'", endpoint.operation(),
                     contract.getSimpleName(), endpoint.method().getName(),
                     deprecation.sunset() == null ? "" : ", sunset " + deprecation.sunset(), caller);
        }
        ServedRequests served = ServedRequests.current();
        if (served != null) {
            served.deprecatedCalls().deprecatedCall(endpoint.operation(), caller);
        }
    }

    private static Object await(CompletableFuture<?> future) throws Exception {
        try {
            // Handlers run on virtual threads: blocking here costs no platform thread.
            return future.get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    private static Object bind(Endpoint.Param param, ServerRequest req) {
        return switch (param.kind()) {
            case PATH -> convert(param, req.path().pathParameters().get(param.name()), "Path parameter");
            case QUERY -> {
                if (param.multiple()) {
                    List<Object> values = new ArrayList<>();
                    for (String v : req.query().all(param.name(), List::of)) {
                        values.add(convert(param, v, "Query parameter"));
                    }
                    yield values;
                }
                Optional<String> value = req.query().first(param.name()).asOptional();
                yield value.isPresent() ? convert(param, value.get(), "Query parameter")
                        : missing(param, "Query parameter");
            }
            case HEADER -> {
                Optional<String> value = req.headers().first(HeaderNames.create(param.name()));
                yield value.isPresent() ? convert(param, value.get(), "Header") : missing(param, "Header");
            }
            case BODY -> {
                if (!req.content().hasEntity()) {
                    throw new BadRequestException("A request body is required.");
                }
                Object body = req.content().as(GenericType.create(param.type()));
                if (body == null) {
                    throw new BadRequestException("A request body is required.");
                }
                yield body;
            }
        };
    }

    private static Object missing(Endpoint.Param param, String what) {
        if (param.rawType().isPrimitive()) {
            throw new BadRequestException(what + " '" + param.name() + "' is required.");
        }
        return null;
    }

    private static Object convert(Endpoint.Param param, String text, String what) {
        try {
            return ValueConverter.fromText(text, param.rawType());
        } catch (IllegalArgumentException e) {
            String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
            throw new BadRequestException(what + " '" + param.name() + "' is invalid (" + e.getMessage()
                                                  + "), was '" + shown.replaceAll("[\\p{Cntrl}]", "?") + "'.");
        }
    }

    private static void write(Endpoint endpoint, Object result, ServerRequest req, ServerResponse res)
            throws IOException {
        switch (endpoint.returnKind()) {
            case VOID -> {
                res.status(Status.create(endpoint.responseStatus() == 0 ? 204 : endpoint.responseStatus()));
                res.send();
            }
            case OPTIONAL -> {
                Optional<?> optional = (Optional<?>) result;
                if (optional == null || optional.isEmpty()) {
                    throw new NotFoundException("No " + simpleName(endpoint) + " found at this path.");
                }
                send(req, res, status(endpoint), optional.get());
            }
            case RESULT -> {
                HttpResult<?> httpResult = (HttpResult<?>) result;
                if (httpResult == null) {
                    throw new IllegalStateException(endpoint + " returned a null HttpResult");
                }
                httpResult.headers().forEach((name, values) ->
                        res.header(HeaderNames.create(name), values.toArray(String[]::new)));
                Object body = httpResult.body().orElse(null);
                if (body == null) {
                    res.status(Status.create(httpResult.status()));
                    res.send();
                } else {
                    send(req, res, httpResult.status(), body);
                }
            }
            case VALUE, LIST -> {
                if (result == null) {
                    throw new IllegalStateException(endpoint + " returned null; return Optional or throw "
                                                            + "NotFoundException instead");
                }
                send(req, res, status(endpoint), result);
            }
        }
    }

    private static int status(Endpoint endpoint) {
        return endpoint.responseStatus() == 0 ? 200 : endpoint.responseStatus();
    }

    /**
     * Sends the body. Inside a Flotilla service, a body that the service's media support would write as JSON, to a
     * request that accepts JSON ({@code Accept} absent, {@code application/json} or {@code *}{@code /*}) and with no
     * content type set yet, is written here to the same bytes and {@code Content-Type: application/json}, and sent
     * as bytes: Helidon would otherwise stream it through a buffered stream made per response.
     */
    private static void send(ServerRequest req, ServerResponse res, int status, Object body) throws IOException {
        res.status(Status.create(status));
        if (acceptsPlainJson(req) && !res.headers().contains(HeaderNames.CONTENT_TYPE)) {
            ServedRequests served = ServedRequests.current();
            byte[] json = served == null ? null : served.jsonOrNull(body);
            if (json != null) {
                res.header(HeaderValues.CONTENT_TYPE_JSON);
                res.send(json);
                return;
            }
        }
        res.send(body);
    }

    private static boolean acceptsPlainJson(ServerRequest req) {
        if (!req.headers().contains(HeaderNames.ACCEPT)) {
            return true;
        }
        io.helidon.http.Header accept = req.headers().get(HeaderNames.ACCEPT);
        if (accept.valueCount() != 1) {
            return false;
        }
        String value = accept.get().trim();
        return value.equalsIgnoreCase("application/json") || value.equals("*/*");
    }

    private static String simpleName(Endpoint endpoint) {
        Class<?> raw = Endpoint.rawClass(endpoint.entityType());
        return raw == null ? "resource" : raw.getSimpleName();
    }
}
