package dev.flotilla.core.http;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.FailsafeException;
import dev.failsafe.TimeoutExceededException;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.security.Caller;
import dev.flotilla.core.security.internal.CallerBridge;
import dev.flotilla.core.security.internal.HttpAuthenticator;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.core.discovery.ServiceDiscovery;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.resilience.CallRejectedException;
import dev.flotilla.resilience.Deadline;
import dev.flotilla.resilience.DeadlineExceededException;
import dev.flotilla.resilience.PolicySet;
import dev.flotilla.resilience.Resilience;
import io.helidon.config.Config;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the HTTP calls of the typed clients of one downstream service: picks an instance, runs each attempt through
 * the resilience policies ({@link CallPolicies}), propagates the call context, and hands the response to the
 * {@link ResponseDecoder}. A call's path, query, headers and body are encoded once, by {@link CallRequest}.
 *
 * <p>What does not change from call to call is prepared once: per contract method a {@link CallRoute} (the HTTP method,
 * the path template split at its placeholders, the span name, the JSON reader of the return type, the metric timers),
 * per policy name its sets, per instance its breaker set and its base URI. A call then builds only what is its own:
 * the path with its values, the headers that carry its context, and one Failsafe execution for the retries; the
 * attempt goes through the instance's breaker directly (see {@link PolicySet#get}).
 *
 * <p>Thread-safe.
 */
final class CallExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceClients.class);
    private static final HeaderName REQUEST_ID = HeaderNames.create(CallContext.REQUEST_ID_HEADER);
    private static final HeaderName TRACEPARENT = HeaderNames.create(CallContext.TRACEPARENT_HEADER);
    private static final HeaderName TRACESTATE = HeaderNames.create(CallContext.TRACESTATE_HEADER);
    private static final HeaderName DEADLINE = HeaderNames.create(CallContext.DEADLINE_HEADER);
    private static final HeaderName CALLER = HeaderNames.create(HttpContracts.CALLER_HEADER);
    private static final HeaderName SERVICE_TOKEN = HeaderNames.create(HttpAuthenticator.SERVICE_TOKEN_HEADER);
    private static final Header ACCEPT_JSON = HeaderValues.createCached(HeaderNames.ACCEPT, "application/json");

    private final String target;
    private final String caller;
    private final Header callerHeader;
    private final ServiceDiscovery discovery;
    private final Resilience resilience;
    private final Config targetConfig;
    private final WebClient webClient;
    private final ExecutorService asyncExecutor;
    private final ResponseDecoder decoder;
    private final Tracing tracing;
    /** Null when the calls are not counted. */
    private final ClientMetrics metrics;
    private final AtomicInteger nextInstance = new AtomicInteger();
    /** The calling service's token for a callee; null when calls are not signed. */
    private final java.util.function.Function<String, String> serviceTokens;
    /** The token of the user this client acts for outside a request; null when none. */
    private final java.util.function.Supplier<String> userToken;
    /** The sets a call uses, by policy name. */
    private final Map<String, CallPolicies> policySets = new ConcurrentHashMap<>();
    private final RecoveryProbe recovery;

    CallExecutor(String target, String caller, ServiceDiscovery discovery, Resilience resilience, Config targetConfig,
                 WebClient webClient, ExecutorService asyncExecutor, ObjectMapper json, Tracing tracing,
                 ClientMetrics metrics, java.util.function.Function<String, String> serviceTokens,
                 java.util.function.Supplier<String> userToken) {
        this.serviceTokens = serviceTokens;
        this.userToken = userToken;
        this.tracing = tracing;
        this.metrics = metrics;
        this.target = target;
        this.caller = caller;
        this.callerHeader = HeaderValues.createCached(CALLER, caller);
        this.discovery = discovery;
        this.resilience = resilience;
        this.targetConfig = targetConfig;
        this.webClient = webClient;
        this.asyncExecutor = asyncExecutor;
        this.decoder = new ResponseDecoder(target, json);
        this.recovery = new RecoveryProbe(target, webClient, discovery, asyncExecutor::isShutdown);
    }

    /** What a contract method's calls share; made when the client is created. */
    CallRoute route(Endpoint endpoint) {
        return new CallRoute(endpoint);
    }

    Object invoke(CallRoute route, Object[] args) {
        CallRequest request = CallRequest.of(route, args);
        if (route.endpoint.async()) {
            // Captured here, on the caller's thread, so the async call carries the caller's context.
            java.util.concurrent.Callable<Object> task = CallContext.wrap(() -> call(route, request));
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return task.call();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, asyncExecutor);
        }
        return call(route, request);
    }

    /** The resilience set for a method: clients.<target>.methods.<method>.policies, clients.<target>.policies, target. */
    private CallPolicies policies(CallRoute route) {
        CallPolicies policies = route.policies;
        if (policies == null) {
            String name = targetConfig.get("methods").get(route.endpoint.method().getName())
                    .get("policies").asString()
                    .orElseGet(() -> targetConfig.get("policies").asString().orElse(target));
            policies = policySets.computeIfAbsent(name, n -> new CallPolicies(resilience, n));
            route.policies = policies;
        }
        return policies;
    }

    /**
     * One call, with the downstream's problem turned into the exception the method declares for its type, if any:
     * after the policies and metrics, which see the {@link RemoteProblemException} as they see any answer.
     */
    private Object call(CallRoute route, CallRequest request) {
        if (route.endpoint.problems().isEmpty()) {
            return measured(route, request);
        }
        try {
            return measured(route, request);
        } catch (RemoteProblemException e) {
            ProblemException declared = route.endpoint.problems().exceptionFor(e.problem());
            if (declared == null) {
                throw e;
            }
            // Who answered, and its Retry-After, stay in the stack trace.
            declared.addSuppressed(e);
            throw declared;
        }
    }

    private Object measured(CallRoute route, CallRequest request) {
        if (metrics == null) {
            return callWithPolicies(route, request);
        }
        long began = System.nanoTime();
        Throwable failure = null;
        try {
            return callWithPolicies(route, request);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            route.timers(metrics).record(failure, System.nanoTime() - began);
        }
    }

    private Object callWithPolicies(CallRoute route, CallRequest request) {
        CallContext context = CallContext.current().orElse(null);
        Deadline deadline = context == null ? null : context.deadline().orElse(null);
        Call call = new Call(route, request, context);
        try {
            CallPolicies policies = policies(route);
            if (!route.endpoint.idempotent()) {
                return attempt(call, policies, deadline);
            }
            PolicySet calls = policies.calls();
            if (deadline == null) {
                return calls.get(() -> attempt(call, policies, null));
            }
            return calls.get(deadline, d -> attempt(call, policies, d));
        } catch (DeadlineExceededException e) {
            throw new ServiceTimeoutException(target, "The deadline for calling " + target + " ran out", e);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new ServiceCallException(target, "Calling " + target + " failed: " + e.getMessage(), e);
        }
    }

    private Object attempt(Call call, CallPolicies policies, Deadline deadline) {
        List<URI> instances = discovery.instances(target);
        if (instances.isEmpty()) {
            throw new ServiceUnreachableException(target, "No instance of " + target + " is known to discovery", null);
        }
        CallPolicies.Instance instance = pick(instances, policies, call);
        call.tried(instance.uri);
        int attempt = ++call.attempts;
        Duration timeout = policies.attemptTimeout();
        try {
            if (deadline == null) {
                return instance.set.get(() -> traced(call, instance, timeout, null, attempt));
            }
            return instance.set.get(deadline, d -> traced(call, instance, timeout, d, attempt));
        } catch (CallRejectedException e) {
            // Only chosen with an open breaker when every instance has one: fail fast, do not retry.
            recovery.watch(instance);
            throw new ServiceUnreachableException(target, target + " at " + instance.uri.getAuthority()
                    + " was not called: " + e.getMessage(), e);
        } catch (TimeoutExceededException e) {
            throw new ServiceTimeoutException(target, target + " at " + instance.uri.getAuthority()
                    + " did not answer within " + timeout, e);
        } catch (ServiceUnreachableException e) {
            // After the breaker counted it: if that opened the breaker, watch for the instance to be ready again.
            recovery.watch(instance);
            throw e;
        }
    }

    /** Round robin, skipping instances already tried in this call and instances whose breaker is open. */
    private CallPolicies.Instance pick(List<URI> instances, CallPolicies policies, Call call) {
        int size = instances.size();
        if (size == 1) {
            // The only instance: chosen whether tried or open (an open breaker then rejects the call).
            return policies.instance(instances.get(0));
        }
        int start = Math.floorMod(nextInstance.getAndIncrement(), size);
        CallPolicies.Instance fallback = null;
        for (int i = 0; i < size; i++) {
            CallPolicies.Instance candidate = policies.instance(instances.get((start + i) % size));
            boolean open = candidate.open();
            if (!open && !call.wasTried(candidate.uri)) {
                return candidate;
            }
            if (fallback == null && !open) {
                fallback = candidate;
            }
            if (open) {
                recovery.watch(candidate);
            }
        }
        return fallback != null ? fallback : policies.instance(instances.get(start));
    }

    /** One attempt in a client span; its context is the traceparent sent. */
    private Object traced(Call call, CallPolicies.Instance instance, Duration timeout, Deadline deadline, int attempt) {
        Endpoint endpoint = call.route.endpoint;
        Tracing.Span span = tracing.startChild(call.route.spanName, SpanKind.CLIENT);
        if (span.recording()) {
            span.attribute("http.request.method", endpoint.httpMethod())
                    .attribute("url.template", endpoint.path())
                    .attribute("server.address", instance.uri.getHost())
                    .attribute("server.port", instance.uri.getPort())
                    .attribute("flotilla.target", target)
                    .attribute(Tracing.ATTEMPT_ATTRIBUTE, attempt);
        }
        try {
            return send(call, instance, timeout, deadline, span);
        } catch (RemoteProblemException e) {
            if (e.status() >= 500) {
                span.failed(e);
            }
            throw e;
        } catch (RuntimeException | Error e) {
            span.failed(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private Object send(Call call, CallPolicies.Instance instance, Duration timeout, Deadline deadline, Tracing.Span span) {
        CallRoute route = call.route;
        CallRequest request = call.request;
        Duration budget = timeout;
        if (deadline != null) {
            Duration remaining = deadline.remaining();
            budget = budget == null || remaining.compareTo(budget) < 0 ? remaining : budget;
        }
        HttpClientRequest http = webClient.method(route.method);
        if (request.query().isEmpty()) {
            // The instance's base URI made once, and the path as Helidon keeps it (decoded): no URI to parse.
            http.uri(instance.base()).path(request.path());
        } else {
            http.uri(request.uri(route, instance.uri));
        }
        http.header(ACCEPT_JSON).header(callerHeader);
        if (budget != null) {
            if (budget.isZero() || budget.isNegative()) {
                throw new ServiceTimeoutException(target, "The deadline for calling " + target + " ran out", null);
            }
            http.readTimeout(budget);
        }
        CallContext context = call.context;
        http.header(HeaderValues.create(REQUEST_ID, context != null ? context.correlationId()
                : CallContext.of(caller, null).correlationId()));
        if (span.traceParent() != null) {
            http.header(HeaderValues.create(TRACEPARENT, span.traceParent()));
            if (span.traceState() != null) {
                http.header(HeaderValues.create(TRACESTATE, span.traceState()));
            }
        }
        if (deadline != null) {
            http.header(HeaderValues.create(DEADLINE, String.valueOf(Math.max(0, deadline.remaining().toMillis()))));
        }
        if (serviceTokens != null) {
            http.header(HeaderValues.create(SERVICE_TOKEN, serviceTokens.apply(target)));
        }
        if (!route.setsAuthorization) {
            // On behalf of the user whose verified token came with the request being handled; else the user this
            // client was made for, if any.
            Caller user = context != null ? context.caller() : Caller.anonymous();
            String token = user.user().isPresent() ? CallerBridge.bearerToken(user).orElse(null) : null;
            if (token == null && userToken != null) {
                token = userToken.get();
            }
            if (token != null) {
                http.header(HeaderValues.create(HeaderNames.AUTHORIZATION, "Bearer " + token));
            }
        }
        String[] headers = request.headers();
        if (headers != null) {
            for (int i = 0; i < headers.length; i++) {
                if (headers[i] != null) {
                    http.header(HeaderValues.create(route.headerNames[i], headers[i]));
                }
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}{} -> {}", route.endpoint.httpMethod(), instance.uri.getAuthority(),
                      request.encodedPath(route), target);
        }
        HttpClientResponse response;
        try {
            response = request.body() == null ? http.request() : http.submit(request.body());
        } catch (RuntimeException e) {
            throw transportFailure(instance, e);
        }
        if (instance.unreachable) {
            instance.unreachable = false;
        }
        try (response) {
            int status = response.status().code();
            span.attribute("http.response.status_code", status);
            if (status >= 200 && status < 300) {
                return decoder.decode(route, response, status);
            }
            if (status == 404 && route.endpoint.returnKind() == Endpoint.ReturnKind.OPTIONAL) {
                return Optional.empty();
            }
            throw decoder.problem(response, status);
        } catch (ServiceCallException e) {
            throw e;
        } catch (RuntimeException e) {
            throw transportFailure(instance, e);
        }
    }

    private ServiceCallException transportFailure(CallPolicies.Instance instance, RuntimeException e) {
        ServiceCallException failure = transportFailure(instance.uri, e);
        if (failure instanceof ServiceUnreachableException && !tls(e)) {
            // Refused or reset: the instance may be gone. Discovery looks again; a probe may bring it back early.
            instance.unreachable = true;
            discovery.unreachable(target, instance.uri);
        }
        return failure;
    }

    private static boolean tls(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    private ServiceCallException transportFailure(URI instance, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
                return new ServiceTimeoutException(target, target + " at " + instance.getAuthority()
                        + " did not answer in time", e);
            }
            if (t instanceof javax.net.ssl.SSLException ssl) {
                return new ServiceUnreachableException(target, target + " at " + instance.getAuthority()
                        + " could not be reached over TLS: " + ssl.getMessage() + " (check clients." + target
                        + ".tls and the server's certificate)", e);
            }
        }
        return new ServiceUnreachableException(target, target + " at " + instance.getAuthority()
                + " could not be reached: " + reason(e), e);
    }

    /** The first message down the causes, or the type of the failure when none has one (a reset connection). */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    /** One call: its attempts run one after another, so what it tracks needs no synchronization. */
    private static final class Call {
        private final CallRoute route;
        private final CallRequest request;
        private final CallContext context;
        private URI firstTried;
        private Set<URI> moreTried;
        private int attempts;

        private Call(CallRoute route, CallRequest request, CallContext context) {
            this.route = route;
            this.request = request;
            this.context = context;
        }

        void tried(URI uri) {
            if (firstTried == null) {
                firstTried = uri;
            } else if (!firstTried.equals(uri)) {
                if (moreTried == null) {
                    moreTried = new HashSet<>();
                }
                moreTried.add(uri);
            }
        }

        boolean wasTried(URI uri) {
            return firstTried != null && (firstTried.equals(uri) || moreTried != null && moreTried.contains(uri));
        }
    }

}
