package dev.flotilla.core.http;

import java.io.InterruptedIOException;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.FailsafeException;
import dev.failsafe.TimeoutExceededException;
import dev.flotilla.core.CallContext;
import dev.flotilla.core.Correlation;
import dev.flotilla.core.Tracing;
import dev.flotilla.core.discovery.ServiceDiscovery;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.resilience.CallRejectedException;
import dev.flotilla.resilience.Deadline;
import dev.flotilla.resilience.DeadlineExceededException;
import dev.flotilla.resilience.PolicySet;
import dev.flotilla.resilience.PolicySetConfig;
import dev.flotilla.resilience.Resilience;
import io.helidon.config.Config;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the HTTP calls of the typed clients of one downstream service: picks instances, applies the resilience
 * policies, propagates the call context, and turns responses into return values or typed exceptions.
 * Thread-safe.
 */
final class CallExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceClients.class);
    private static final HeaderName REQUEST_ID = HeaderNames.create(Correlation.REQUEST_ID_HEADER);
    private static final HeaderName TRACEPARENT = HeaderNames.create(CallContext.TRACEPARENT_HEADER);
    private static final HeaderName TRACESTATE = HeaderNames.create(CallContext.TRACESTATE_HEADER);
    private static final HeaderName DEADLINE = HeaderNames.create(CallContext.DEADLINE_HEADER);
    private static final HeaderName CALLER = HeaderNames.create(HttpContracts.CALLER_HEADER);
    private static final int MAX_PROBLEM_BODY = 64 * 1024;

    private final String target;
    private final String caller;
    private final ServiceDiscovery discovery;
    private final Resilience resilience;
    private final Config targetConfig;
    private final WebClient webClient;
    private final ExecutorService asyncExecutor;
    private final ObjectMapper json;
    private final Tracing tracing;
    /** Null when the calls are not counted. */
    private final ClientMetrics metrics;
    private final AtomicInteger nextInstance = new AtomicInteger();
    private final Map<Method, String> policyNames = new ConcurrentHashMap<>();
    /** The sets a call uses, looked up once: per policy name the retrying set, per (name, instance) the breaker. */
    private final Map<String, PolicySet> callSets = new ConcurrentHashMap<>();
    private final Map<String, Map<URI, PolicySet>> instanceSets = new ConcurrentHashMap<>();

    CallExecutor(String target, String caller, ServiceDiscovery discovery, Resilience resilience, Config targetConfig,
                 WebClient webClient, ExecutorService asyncExecutor, ObjectMapper json, Tracing tracing,
                 ClientMetrics metrics) {
        this.tracing = tracing;
        this.metrics = metrics;
        this.target = target;
        this.caller = caller;
        this.discovery = discovery;
        this.resilience = resilience;
        this.targetConfig = targetConfig;
        this.webClient = webClient;
        this.asyncExecutor = asyncExecutor;
        this.json = json;
    }

    Object invoke(Endpoint endpoint, Object[] args) {
        Request request = Request.of(endpoint, args);
        String policies = policyName(endpoint);
        if (endpoint.async()) {
            // Captured here, on the caller's thread, so the async call carries the caller's context.
            java.util.concurrent.Callable<Object> task = CallContext.wrap(() -> call(endpoint, request, policies));
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
        return call(endpoint, request, policies);
    }

    /** The resilience set for a method: clients.<target>.methods.<method>.policies, clients.<target>.policies, target. */
    private String policyName(Endpoint endpoint) {
        return policyNames.computeIfAbsent(endpoint.method(), m -> targetConfig.get("methods").get(m.getName())
                .get("policies").asString()
                .orElseGet(() -> targetConfig.get("policies").asString().orElse(target)));
    }

    private Object call(Endpoint endpoint, Request request, String policies) {
        if (metrics == null) {
            return callWithPolicies(endpoint, request, policies);
        }
        long began = System.nanoTime();
        Throwable failure = null;
        try {
            return callWithPolicies(endpoint, request, policies);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            metrics.record(endpoint.method().getName(), failure, System.nanoTime() - began);
        }
    }

    private Object callWithPolicies(Endpoint endpoint, Request request, String policies) {
        Deadline deadline = CallContext.current().flatMap(CallContext::deadline).orElse(null);
        Set<URI> tried = new HashSet<>();
        AtomicInteger attempts = new AtomicInteger();
        try {
            if (!endpoint.idempotent()) {
                return attempt(endpoint, request, policies, tried, attempts, deadline);
            }
            PolicySet calls = callSets.computeIfAbsent(policies,
                                                       p -> resilience.derived(p, "calls", CallExecutor::retriesOnly));
            if (deadline == null) {
                return calls.get(() -> attempt(endpoint, request, policies, tried, attempts, null));
            }
            return calls.get(deadline, d -> attempt(endpoint, request, policies, tried, attempts, d));
        } catch (DeadlineExceededException e) {
            throw new ServiceTimeoutException(target, "The deadline for calling " + target + " ran out", e);
        } catch (FailsafeException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new ServiceCallException(target, "Calling " + target + " failed: " + e.getMessage(), e);
        }
    }

    private static void retriesOnly(PolicySetConfig.Builder b) {
        b.circuitBreakerEnabled(false)
                .timeoutEnabled(false)
                .bulkheadEnabled(false)
                .rateLimiterEnabled(false)
                .retryOn(CallExecutor::retryable);
    }

    /**
     * The per-instance set: its breaker (and bulkhead, rate limiter). Its timeout is not a Failsafe timer: the
     * attempt's budget becomes the socket's read timeout instead, which needs no timer thread woken per call.
     */
    private static void instanceOnly(PolicySetConfig.Builder b) {
        b.retryEnabled(false)
                .retryBudgetEnabled(false)
                .timeoutEnabled(false)
                .circuitBreakerFailureOn(CallExecutor::instanceFailure);
    }

    /** Worth trying again, on another instance: the request failed in transit or the instance was unavailable. */
    static boolean retryable(Throwable e) {
        if (e instanceof ServiceUnreachableException u) {
            // A rejection by open breakers is the point of failing fast: not retried.
            return !(u.getCause() instanceof CallRejectedException);
        }
        if (e instanceof ServiceTimeoutException) {
            return true;
        }
        return e instanceof RemoteProblemException p && (p.status() == 502 || p.status() == 503 || p.status() == 504);
    }

    /** Counts against an instance's breaker: it could not be reached, was too slow, or failed on its side. */
    static boolean instanceFailure(Throwable e) {
        return e instanceof ServiceUnreachableException || e instanceof TimeoutExceededException
                || e instanceof ServiceTimeoutException
                || e instanceof RemoteProblemException p && p.status() >= 500;
    }

    private Object attempt(Endpoint endpoint, Request request, String policies, Set<URI> tried,
                           AtomicInteger attempts, Deadline deadline) {
        List<URI> instances = discovery.instances(target);
        if (instances.isEmpty()) {
            throw new ServiceUnreachableException(target, "No instance of " + target + " is known to discovery", null);
        }
        URI instance = pick(instances, policies, tried);
        tried.add(instance);
        int attempt = attempts.incrementAndGet();
        PolicySet policy = instanceSet(policies, instance);
        Duration timeout = attemptTimeout(policies);
        try {
            if (deadline == null) {
                return policy.get(() -> traced(endpoint, request, instance, timeout, null, attempt));
            }
            return policy.get(deadline, d -> traced(endpoint, request, instance, timeout, d, attempt));
        } catch (CallRejectedException e) {
            // Only chosen with an open breaker when every instance has one: fail fast, do not retry.
            throw new ServiceUnreachableException(target, target + " at " + instance.getAuthority()
                    + " was not called: " + e.getMessage(), e);
        } catch (TimeoutExceededException e) {
            throw new ServiceTimeoutException(target, target + " at " + instance.getAuthority()
                    + " did not answer within " + timeout, e);
        }
    }

    /**
     * The configured {@code timeout.duration} of a policy name, or null when its timeout is turned off. Read at every
     * attempt (a map lookup), so a timeout changed at run time applies to the next attempt.
     */
    private Duration attemptTimeout(String policies) {
        PolicySetConfig config = resilience.policies(policies).config();
        return config.timeoutEnabled() ? config.timeoutDuration() : null;
    }

    private PolicySet instanceSet(String policies, URI instance) {
        return instanceSets.computeIfAbsent(policies, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(instance, i -> resilience.derived(policies, i.getAuthority(),
                                                                   CallExecutor::instanceOnly));
    }

    /** Round robin, skipping instances already tried in this call and instances whose breaker is open. */
    private URI pick(List<URI> instances, String policies, Set<URI> tried) {
        int size = instances.size();
        int start = Math.floorMod(nextInstance.getAndIncrement(), size);
        URI fallback = null;
        for (int i = 0; i < size; i++) {
            URI candidate = instances.get((start + i) % size);
            boolean open = instanceSet(policies, candidate).circuitBreaker().map(b -> b.isOpen()).orElse(false);
            if (!open && !tried.contains(candidate)) {
                return candidate;
            }
            if (fallback == null && !open) {
                fallback = candidate;
            }
        }
        return fallback != null ? fallback : instances.get(start);
    }

    /** One attempt in a client span; its context is the traceparent sent. */
    private Object traced(Endpoint endpoint, Request request, URI instance, Duration timeout, Deadline deadline,
                          int attempt) {
        Tracing.Span span = tracing.startChild(endpoint.httpMethod() + " " + endpoint.path(), SpanKind.CLIENT);
        if (span.recording()) {
            span.attribute("http.request.method", endpoint.httpMethod())
                    .attribute("url.template", endpoint.path())
                    .attribute("server.address", instance.getHost())
                    .attribute("server.port", instance.getPort())
                    .attribute("flotilla.target", target)
                    .attribute(Tracing.ATTEMPT_ATTRIBUTE, attempt);
        }
        try {
            return send(endpoint, request, instance, timeout, deadline, span);
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

    private Object send(Endpoint endpoint, Request request, URI instance, Duration timeout, Deadline deadline,
                        Tracing.Span span) {
        Duration budget = timeout;
        if (deadline != null) {
            Duration remaining = deadline.remaining();
            budget = budget == null || remaining.compareTo(budget) < 0 ? remaining : budget;
        }
        HttpClientRequest http = webClient.method(io.helidon.http.Method.create(endpoint.httpMethod()))
                .uri(request.uri(instance))
                .header(HeaderNames.ACCEPT, "application/json")
                .header(CALLER, caller);
        if (budget != null) {
            if (budget.isZero() || budget.isNegative()) {
                throw new ServiceTimeoutException(target, "The deadline for calling " + target + " ran out", null);
            }
            http.readTimeout(budget);
        }
        CallContext context = CallContext.current().orElse(null);
        http.header(REQUEST_ID, context != null ? context.correlationId()
                : CallContext.of(caller, null).correlationId());
        if (span.traceParent() != null) {
            http.header(TRACEPARENT, span.traceParent());
            if (span.traceState() != null) {
                http.header(TRACESTATE, span.traceState());
            }
        }
        if (deadline != null) {
            http.header(DEADLINE, String.valueOf(Math.max(0, deadline.remaining().toMillis())));
        }
        request.headers().forEach((name, value) -> http.header(HeaderNames.create(name), value));
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}{} -> {}", endpoint.httpMethod(), instance.getAuthority(), request.path(), target);
        }
        HttpClientResponse response;
        try {
            response = request.body() == null ? http.request() : http.submit(request.body());
        } catch (RuntimeException e) {
            throw transportFailure(instance, e);
        }
        try (response) {
            int status = response.status().code();
            span.attribute("http.response.status_code", status);
            if (status >= 200 && status < 300) {
                return decode(endpoint, response, status);
            }
            if (status == 404 && endpoint.returnKind() == Endpoint.ReturnKind.OPTIONAL) {
                return Optional.empty();
            }
            throw problem(response, status);
        } catch (ServiceCallException e) {
            throw e;
        } catch (RuntimeException e) {
            throw transportFailure(instance, e);
        }
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

    private Object decode(Endpoint endpoint, HttpClientResponse response, int status) {
        Endpoint.ReturnKind kind = endpoint.returnKind();
        if (kind == Endpoint.ReturnKind.VOID) {
            return null;
        }
        boolean hasBody = status != 204 && response.entity().hasEntity();
        Object body = null;
        if (hasBody) {
            try {
                body = response.entity().as(endpoint.entityGenericType());
            } catch (RuntimeException e) {
                throw new ServiceCallException(target, target + " answered " + status + " with a body that is not a "
                        + endpoint.entityType().getTypeName() + ": " + e.getMessage(), e);
            }
        }
        return switch (kind) {
            case OPTIONAL -> Optional.ofNullable(body);
            case RESULT -> {
                Map<String, List<String>> headers = new LinkedHashMap<>();
                response.headers().forEach(h -> headers.put(h.name().toLowerCase(Locale.ROOT), h.allValues()));
                yield HttpResult.received(status, headers, body);
            }
            default -> {
                if (body == null) {
                    throw new ServiceCallException(target, target + " answered " + status + " without a body; "
                            + endpoint + " expects a " + endpoint.entityType().getTypeName(), null);
                }
                yield body;
            }
        };
    }

    private RemoteProblemException problem(HttpClientResponse response, int status) {
        String text = "";
        if (response.entity().hasEntity()) {
            byte[] bytes = response.entity().as(byte[].class);
            text = new String(bytes, 0, Math.min(bytes.length, MAX_PROBLEM_BODY), StandardCharsets.UTF_8);
        }
        String reason = response.status().reasonPhrase();
        Problem problem = parseProblem(text, status, reason == null || reason.isBlank() ? "HTTP " + status : reason);
        Duration retryAfter = response.headers().first(HeaderNames.RETRY_AFTER).map(CallExecutor::retryAfter)
                .orElse(null);
        return switch (status) {
            case 400 -> new RemoteBadRequestException(target, problem, retryAfter);
            case 404 -> new RemoteNotFoundException(target, problem, retryAfter);
            case 409 -> new RemoteConflictException(target, problem, retryAfter);
            case 503 -> new RemoteUnavailableException(target, problem, retryAfter);
            default -> new RemoteProblemException(target, problem, retryAfter);
        };
    }

    private Problem parseProblem(String text, int status, String reason) {
        if (!text.isBlank()) {
            try {
                JsonNode node = json.readTree(text);
                if (node != null && node.isObject() && node.hasNonNull("title")) {
                    Map<String, Object> extensions = new LinkedHashMap<>();
                    node.properties().forEach(f -> {
                        if (!Set.of("type", "title", "status", "detail", "instance", "requestId").contains(f.getKey())) {
                            extensions.put(f.getKey(), json.convertValue(f.getValue(), Object.class));
                        }
                    });
                    URI type = node.hasNonNull("type") ? safeUri(node.get("type").asText()) : URI.create("about:blank");
                    return new Problem(type, node.get("title").asText(), status,
                                       node.hasNonNull("detail") ? node.get("detail").asText() : null,
                                       node.hasNonNull("instance") ? node.get("instance").asText() : null,
                                       node.hasNonNull("requestId") ? node.get("requestId").asText() : null,
                                       extensions);
                }
            } catch (Exception e) {
                LOG.debug("{} answered {} with a body that is not problem details", target, status);
            }
        }
        String detail = text.isBlank() ? null : text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return new Problem(URI.create("about:blank"), reason, status, detail, null, null, Map.of());
    }

    private static URI safeUri(String text) {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            return URI.create("about:blank");
        }
    }

    /** Retry-After is seconds or an HTTP date. */
    static Duration retryAfter(String value) {
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(),
                                              ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    /** The parts of one call that do not depend on the instance. */
    record Request(String path, String query, Map<String, String> headers, Object body) {
        static Request of(Endpoint endpoint, Object[] args) {
            String path = endpoint.path();
            StringBuilder query = new StringBuilder();
            Map<String, String> headers = new LinkedHashMap<>();
            Object body = null;
            List<Endpoint.Param> params = endpoint.params();
            for (int i = 0; i < params.size(); i++) {
                Endpoint.Param param = params.get(i);
                Object value = args[i];
                switch (param.kind()) {
                    case PATH -> {
                        if (value == null) {
                            throw new IllegalArgumentException("Path parameter '" + param.name() + "' must not be null"
                                    + "\n    for method " + endpoint);
                        }
                        String text = ValueConverter.toText(value);
                        if (text.indexOf('/') >= 0 || text.isEmpty() || text.equals(".") || text.equals("..")) {
                            // Servers decode %2F before routing, so such a value would change the route.
                            throw new IllegalArgumentException("Path parameter '" + param.name() + "' must be a "
                                    + "non-empty path segment without '/', was '" + text + "'\n    for method "
                                    + endpoint);
                        }
                        path = path.replace("{" + param.name() + "}", encodePathSegment(text));
                    }
                    case QUERY -> {
                        if (value == null) {
                            continue;
                        }
                        Collection<?> values = value instanceof Collection<?> c ? c : List.of(value);
                        for (Object v : values) {
                            if (v != null) {
                                query.append(query.isEmpty() ? "" : "&").append(encode(param.name())).append('=')
                                        .append(encode(ValueConverter.toText(v)));
                            }
                        }
                    }
                    case HEADER -> {
                        if (value != null) {
                            String text = ValueConverter.toText(value);
                            if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
                                throw new IllegalArgumentException("Header '" + param.name()
                                        + "' must not contain line breaks\n    for method " + endpoint);
                            }
                            headers.put(param.name(), text);
                        }
                    }
                    case BODY -> body = value;
                }
            }
            return new Request(path, query.toString(), Map.copyOf(headers), body);
        }

        URI uri(URI instance) {
            String base = instance.getRawPath() == null ? "" : instance.getRawPath();
            if (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            return URI.create(instance.getScheme() + "://" + instance.getRawAuthority() + base + path
                                      + (query.isEmpty() ? "" : "?" + query));
        }

        private static String encode(String text) {
            return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        }

        private static String encodePathSegment(String text) {
            return encode(text).replace("%7E", "~");
        }
    }
}
