package dev.flotilla.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.http.ClientResponseHeaders;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaType;
import io.helidon.http.media.ReadableEntity;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the HTTP calls of the typed clients of one downstream service: picks instances, applies the resilience
 * policies, propagates the call context, and turns responses into return values or typed exceptions.
 *
 * <p>What does not change from call to call is prepared once: per contract method a {@link Route} (the HTTP method,
 * the path template split at its placeholders, the span name, the JSON reader of the return type, the metric timers),
 * per policy name its sets, per instance its breaker set and its base URI. A call then builds only what is its own:
 * the path with its values, the headers that carry its context, and one Failsafe execution for the retries; the
 * attempt goes through the instance's breaker directly (see {@link PolicySet#get}).
 *
 * <p>Thread-safe.
 */
final class CallExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceClients.class);
    private static final HeaderName REQUEST_ID = HeaderNames.create(Correlation.REQUEST_ID_HEADER);
    private static final HeaderName TRACEPARENT = HeaderNames.create(CallContext.TRACEPARENT_HEADER);
    private static final HeaderName TRACESTATE = HeaderNames.create(CallContext.TRACESTATE_HEADER);
    private static final HeaderName DEADLINE = HeaderNames.create(CallContext.DEADLINE_HEADER);
    private static final HeaderName CALLER = HeaderNames.create(HttpContracts.CALLER_HEADER);
    private static final Header ACCEPT_JSON = HeaderValues.createCached(HeaderNames.ACCEPT, "application/json");
    private static final int MAX_PROBLEM_BODY = 64 * 1024;
    /** The largest body (by its Content-Length) read into one array; longer or chunked ones are streamed by Helidon. */
    private static final int MAX_DIRECT_BODY = 1024 * 1024;
    /** Distinct Content-Type values remembered as JSON or not; more are parsed at every response. */
    private static final int MAX_CONTENT_TYPES = 32;

    private final String target;
    private final String caller;
    private final Header callerHeader;
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
    /** The sets a call uses, by policy name. */
    private final Map<String, Policies> policySets = new ConcurrentHashMap<>();
    /** Per Content-Type value: the charset to read a JSON body with, or empty when it is not JSON. */
    private final Map<String, Optional<Charset>> jsonCharsets = new ConcurrentHashMap<>();

    CallExecutor(String target, String caller, ServiceDiscovery discovery, Resilience resilience, Config targetConfig,
                 WebClient webClient, ExecutorService asyncExecutor, ObjectMapper json, Tracing tracing,
                 ClientMetrics metrics) {
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
        this.json = json;
    }

    /** What a contract method's calls share; made when the client is created. */
    Route route(Endpoint endpoint) {
        return new Route(endpoint);
    }

    Object invoke(Route route, Object[] args) {
        Request request = Request.of(route, args);
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
    private Policies policies(Route route) {
        Policies policies = route.policies;
        if (policies == null) {
            String name = targetConfig.get("methods").get(route.endpoint.method().getName())
                    .get("policies").asString()
                    .orElseGet(() -> targetConfig.get("policies").asString().orElse(target));
            policies = policySets.computeIfAbsent(name, Policies::new);
            route.policies = policies;
        }
        return policies;
    }

    private Object call(Route route, Request request) {
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

    private Object callWithPolicies(Route route, Request request) {
        CallContext context = CallContext.current().orElse(null);
        Deadline deadline = context == null ? null : context.deadline().orElse(null);
        Call call = new Call(route, request, context);
        try {
            Policies policies = policies(route);
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

    private static void retriesOnly(PolicySetConfig.Builder b) {
        b.circuitBreaker(cb -> cb.enabled(false))
                .timeout(t -> t.enabled(false))
                .bulkhead(bh -> bh.enabled(false))
                .rateLimiter(rl -> rl.enabled(false))
                .retry(r -> r.retryOn(CallExecutor::retryable));
    }

    /**
     * The per-instance set: its breaker (and bulkhead, rate limiter). Its timeout is not a Failsafe timer: the
     * attempt's budget becomes the socket's read timeout instead, which needs no timer thread woken per call.
     */
    private static void instanceOnly(PolicySetConfig.Builder b) {
        b.retry(r -> r.enabled(false))
                .retryBudget(rb -> rb.enabled(false))
                .timeout(t -> t.enabled(false))
                .circuitBreaker(cb -> cb.failureOn(CallExecutor::instanceFailure));
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

    private Object attempt(Call call, Policies policies, Deadline deadline) {
        List<URI> instances = discovery.instances(target);
        if (instances.isEmpty()) {
            throw new ServiceUnreachableException(target, "No instance of " + target + " is known to discovery", null);
        }
        Instance instance = pick(instances, policies, call);
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
            throw new ServiceUnreachableException(target, target + " at " + instance.uri.getAuthority()
                    + " was not called: " + e.getMessage(), e);
        } catch (TimeoutExceededException e) {
            throw new ServiceTimeoutException(target, target + " at " + instance.uri.getAuthority()
                    + " did not answer within " + timeout, e);
        }
    }

    /** Round robin, skipping instances already tried in this call and instances whose breaker is open. */
    private Instance pick(List<URI> instances, Policies policies, Call call) {
        int size = instances.size();
        if (size == 1) {
            // The only instance: chosen whether tried or open (an open breaker then rejects the call).
            return policies.instance(instances.get(0));
        }
        int start = Math.floorMod(nextInstance.getAndIncrement(), size);
        Instance fallback = null;
        for (int i = 0; i < size; i++) {
            Instance candidate = policies.instance(instances.get((start + i) % size));
            boolean open = candidate.open();
            if (!open && !call.wasTried(candidate.uri)) {
                return candidate;
            }
            if (fallback == null && !open) {
                fallback = candidate;
            }
        }
        return fallback != null ? fallback : policies.instance(instances.get(start));
    }

    /** One attempt in a client span; its context is the traceparent sent. */
    private Object traced(Call call, Instance instance, Duration timeout, Deadline deadline, int attempt) {
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

    private Object send(Call call, Instance instance, Duration timeout, Deadline deadline, Tracing.Span span) {
        Route route = call.route;
        Request request = call.request;
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
            throw transportFailure(instance.uri, e);
        }
        try (response) {
            int status = response.status().code();
            span.attribute("http.response.status_code", status);
            if (status >= 200 && status < 300) {
                return decode(route, response, status);
            }
            if (status == 404 && route.endpoint.returnKind() == Endpoint.ReturnKind.OPTIONAL) {
                return Optional.empty();
            }
            throw problem(response, status);
        } catch (ServiceCallException e) {
            throw e;
        } catch (RuntimeException e) {
            throw transportFailure(instance.uri, e);
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

    private Object decode(Route route, HttpClientResponse response, int status) {
        Endpoint endpoint = route.endpoint;
        Endpoint.ReturnKind kind = endpoint.returnKind();
        if (kind == Endpoint.ReturnKind.VOID) {
            return null;
        }
        boolean hasBody = status != 204 && response.entity().hasEntity();
        Object body = null;
        if (hasBody) {
            try {
                body = readBody(route, response);
            } catch (IOException | RuntimeException e) {
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

    /**
     * The body as the return type. A JSON body (the Content-Type says {@code application/json}, or there is none)
     * with a Content-Length of at most {@value #MAX_DIRECT_BODY} bytes is read with the mapper's reader for the type, made once per method, from the body's text in the charset of
     * the Content-Type (UTF-8 by default): what Helidon's Jackson media support does, without looking up a reader
     * and wrapping the stream in a charset decoder per response. Other media types go through Helidon's media
     * support as they always did.
     */
    private Object readBody(Route route, HttpClientResponse response) throws IOException {
        ReadableEntity entity = response.entity();
        ObjectReader reader = route.reader(json);
        long length = response.headers().contentLength().orElse(-1L);
        Charset charset = reader == null || length < 0 || length > MAX_DIRECT_BODY ? null
                : jsonCharset(response.headers());
        if (charset == null) {
            return entity.as(route.endpoint.entityGenericType());
        }
        byte[] bytes;
        try (InputStream in = entity.inputStream()) {
            bytes = in.readNBytes((int) length);
        }
        return reader.readValue(new String(bytes, charset));
    }

    /** The charset a JSON body is read with (as Helidon's Jackson support reads it), or null when it is not JSON. */
    private Charset jsonCharset(ClientResponseHeaders headers) {
        if (!headers.contains(HeaderNames.CONTENT_TYPE)) {
            return StandardCharsets.UTF_8;
        }
        String value = headers.get(HeaderNames.CONTENT_TYPE).get();
        Optional<Charset> known = jsonCharsets.get(value);
        if (known == null) {
            known = jsonCharsetOf(value);
            if (jsonCharsets.size() < MAX_CONTENT_TYPES) {
                jsonCharsets.put(value, known);
            }
        }
        return known.orElse(null);
    }

    private static Optional<Charset> jsonCharsetOf(String contentType) {
        try {
            HttpMediaType type = HttpMediaType.create(contentType);
            if (!type.test(MediaTypes.APPLICATION_JSON)) {
                return Optional.empty();
            }
            return Optional.of(type.charset().map(Charset::forName).orElse(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // Unparseable or unknown: left to Helidon, which fails as it always did.
            return Optional.empty();
        }
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

    /**
     * What the calls of one contract method share, prepared once: the HTTP method, the path template split at its
     * placeholders, the span name, the names of header parameters; and, made at first use, the policy sets, the JSON
     * reader of the return type and the metric timers.
     */
    static final class Route {
        private final Endpoint endpoint;
        private final io.helidon.http.Method method;
        private final String spanName;
        /** The literal parts of the path template: one more than {@link #pathArgs}. */
        private final String[] pathParts;
        /** For each placeholder, in order, the index of the argument it takes its value from. */
        private final int[] pathArgs;
        /** Per argument: the header it is sent as, or null for other kinds of parameter. */
        private final HeaderName[] headerNames;
        private final boolean hasHeaders;
        private volatile Policies policies;
        private volatile ClientMetrics.Timers timers;
        /** The reader of the return type, or {@link #NO_READER} when the mapper cannot read it; null until known. */
        private volatile Object reader;

        private static final Object NO_READER = new Object();

        private Route(Endpoint endpoint) {
            this.endpoint = endpoint;
            this.method = io.helidon.http.Method.create(endpoint.httpMethod());
            this.spanName = endpoint.httpMethod() + " " + endpoint.path();
            List<Endpoint.Param> params = endpoint.params();
            List<String> parts = new ArrayList<>();
            List<Integer> args = new ArrayList<>();
            String path = endpoint.path();
            int from = 0;
            int open = path.indexOf('{');
            while (open >= 0) {
                int close = path.indexOf('}', open);
                if (close < 0) {
                    break;
                }
                int arg = pathArg(params, path.substring(open + 1, close));
                if (arg < 0) {
                    // Not a parameter: left in the path as it is written.
                    open = path.indexOf('{', close);
                    continue;
                }
                parts.add(path.substring(from, open));
                args.add(arg);
                from = close + 1;
                open = path.indexOf('{', from);
            }
            parts.add(path.substring(from));
            this.pathParts = parts.toArray(String[]::new);
            this.pathArgs = args.stream().mapToInt(Integer::intValue).toArray();
            this.headerNames = new HeaderName[params.size()];
            boolean headers = false;
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i).kind() == Endpoint.ParamKind.HEADER) {
                    headerNames[i] = HeaderNames.create(params.get(i).name());
                    headers = true;
                }
            }
            this.hasHeaders = headers;
        }

        private static int pathArg(List<Endpoint.Param> params, String name) {
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i).kind() == Endpoint.ParamKind.PATH && params.get(i).name().equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        Endpoint endpoint() {
            return endpoint;
        }

        private ClientMetrics.Timers timers(ClientMetrics metrics) {
            ClientMetrics.Timers t = timers;
            if (t == null) {
                t = metrics.timers(endpoint.method().getName());
                timers = t;
            }
            return t;
        }

        /**
         * The mapper's reader of the return type, or null when the mapper cannot read it (left to Helidon). Decided
         * with {@code canDeserialize}, as Helidon's Jackson support decides whether it reads a type.
         */
        @SuppressWarnings("deprecation")
        private ObjectReader reader(ObjectMapper json) {
            Object r = reader;
            if (r == null) {
                JavaType type = json.constructType(endpoint.entityType());
                r = json.canDeserialize(type) ? json.readerFor(type) : NO_READER;
                reader = r;
            }
            return r instanceof ObjectReader objectReader ? objectReader : null;
        }
    }

    /** The sets of one policy name: the retrying set of the calls, the breaker set of each instance. */
    private final class Policies {
        private final String name;
        private final Map<URI, Instance> instances = new ConcurrentHashMap<>();
        private volatile PolicySet calls;
        private volatile PolicySet configured;

        private Policies(String name) {
            this.name = name;
        }

        PolicySet calls() {
            PolicySet set = calls;
            if (set == null) {
                set = resilience.derived(name, "calls", CallExecutor::retriesOnly);
                calls = set;
            }
            return set;
        }

        /**
         * The configured {@code timeout.duration} of the policy name, or null when its timeout is turned off. Read at
         * every attempt, so a timeout changed at run time applies to the next attempt.
         */
        Duration attemptTimeout() {
            PolicySet set = configured;
            if (set == null) {
                set = resilience.policies(name);
                configured = set;
            }
            PolicySetConfig config = set.config();
            return config.timeout().enabled() ? config.timeout().duration() : null;
        }

        Instance instance(URI uri) {
            Instance instance = instances.get(uri);
            if (instance == null) {
                instance = instances.computeIfAbsent(uri, i -> new Instance(
                        i, resilience.derived(name, i.getAuthority(), CallExecutor::instanceOnly)));
            }
            return instance;
        }
    }

    /** One instance of the target under one policy name: its breaker set and its base URI. */
    private static final class Instance {
        private final URI uri;
        private final PolicySet set;
        private volatile ClientUri base;

        private Instance(URI uri, PolicySet set) {
            this.uri = uri;
            this.set = set;
        }

        boolean open() {
            return set.circuitBreaker().map(b -> b.isOpen()).orElse(false);
        }

        /**
         * The instance's scheme, authority and path (without a trailing slash), as Helidon's URI: requests copy it
         * and add their path; never changed once made.
         */
        ClientUri base() {
            ClientUri b = base;
            if (b == null) {
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                if (path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
                b = ClientUri.create(URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path));
                base = b;
            }
            return b;
        }
    }

    /** One call: its attempts run one after another, so what it tracks needs no synchronization. */
    private static final class Call {
        private final Route route;
        private final Request request;
        private final CallContext context;
        private URI firstTried;
        private Set<URI> moreTried;
        private int attempts;

        private Call(Route route, Request request, CallContext context) {
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

    /**
     * The parts of one call that do not depend on the instance: the path with its values (decoded, as Helidon keeps
     * a path), the query (encoded), the header values by argument index (null without header parameters), the body.
     */
    record Request(String path, String[] pathValues, String query, String[] headers, Object body) {
        static Request of(Route route, Object[] args) {
            Endpoint endpoint = route.endpoint;
            StringBuilder query = null;
            String[] headers = route.hasHeaders ? new String[args.length] : null;
            String[] pathValues = new String[route.pathArgs.length];
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
                        for (int p = 0; p < route.pathArgs.length; p++) {
                            if (route.pathArgs[p] == i) {
                                pathValues[p] = text;
                            }
                        }
                    }
                    case QUERY -> {
                        if (value == null) {
                            continue;
                        }
                        Collection<?> values = value instanceof Collection<?> c ? c : List.of(value);
                        for (Object v : values) {
                            if (v != null) {
                                if (query == null) {
                                    query = new StringBuilder();
                                }
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
                            headers[i] = text;
                        }
                    }
                    case BODY -> body = value;
                }
            }
            return new Request(path(route, pathValues, false), pathValues, query == null ? "" : query.toString(),
                               headers, body);
        }

        /** The template with the values: as they are (decoded) or encoded as path segments. */
        private static String path(Route route, String[] values, boolean encoded) {
            String[] parts = route.pathParts;
            if (parts.length == 1) {
                return parts[0];
            }
            StringBuilder path = new StringBuilder(64);
            for (int p = 0; p < values.length; p++) {
                path.append(parts[p]).append(encoded ? encodePathSegment(values[p]) : values[p]);
            }
            return path.append(parts[parts.length - 1]).toString();
        }

        String encodedPath(Route route) {
            return path(route, pathValues, true);
        }

        /** The full URI of a call with a query: the instance's base, the encoded path and the query. */
        URI uri(Route route, URI instance) {
            String base = instance.getRawPath() == null ? "" : instance.getRawPath();
            if (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            return URI.create(instance.getScheme() + "://" + instance.getRawAuthority() + base + encodedPath(route)
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
