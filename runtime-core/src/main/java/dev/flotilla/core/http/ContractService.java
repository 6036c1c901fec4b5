package dev.flotilla.core.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.NotFoundException;
import io.helidon.common.GenericType;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Serves an implementation of a contract interface: one Helidon route per contract method, binding path, query,
 * header and body parameters, and writing the result as JSON with the method's status. Thread-safe.
 */
final class ContractService implements HttpService {
    private final List<Route> routes;

    private record Route(Endpoint endpoint, MethodHandle target) {
    }

    ContractService(Class<?> contract, Object implementation) {
        List<Route> parsed = new ArrayList<>();
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        for (Endpoint endpoint : Endpoint.parseContract(contract)) {
            try {
                parsed.add(new Route(endpoint, lookup.unreflect(endpoint.method()).bindTo(implementation)));
            } catch (IllegalAccessException e) {
                throw new ContractException("Contract " + contract.getName() + " must be public to be served: "
                                                    + e.getMessage());
            }
        }
        this.routes = List.copyOf(parsed);
    }

    @Override
    public void routing(HttpRules rules) {
        for (Route route : routes) {
            Endpoint endpoint = route.endpoint();
            Handler handler = (req, res) -> handle(route, req, res);
            rules.route(Method.create(endpoint.httpMethod()), endpoint.path(), handler);
        }
    }

    private static void handle(Route route, ServerRequest req, ServerResponse res) throws Exception {
        Endpoint endpoint = route.endpoint();
        List<Endpoint.Param> params = endpoint.params();
        Object[] args = new Object[params.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = bind(params.get(i), req);
        }
        Object result;
        try {
            result = route.target().invokeWithArguments(args);
        } catch (Exception e) {
            throw e;
        } catch (Throwable t) {
            if (t instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(t);
        }
        if (endpoint.async() && result instanceof CompletableFuture<?> future) {
            result = await(future);
        }
        write(endpoint, result, res);
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

    private static void write(Endpoint endpoint, Object result, ServerResponse res) {
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
                send(res, status(endpoint), optional.get());
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
                    send(res, httpResult.status(), body);
                }
            }
            case VALUE, LIST -> {
                if (result == null) {
                    throw new IllegalStateException(endpoint + " returned null; return Optional or throw "
                                                            + "NotFoundException instead");
                }
                send(res, status(endpoint), result);
            }
        }
    }

    private static int status(Endpoint endpoint) {
        return endpoint.responseStatus() == 0 ? 200 : endpoint.responseStatus();
    }

    private static void send(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.send(body);
    }

    private static String simpleName(Endpoint endpoint) {
        Class<?> raw = Endpoint.rawClass(endpoint.entityType());
        return raw == null ? "resource" : raw.getSimpleName();
    }
}
