package dev.flotilla.core.observability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.config.Config;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import dev.flotilla.core.ServiceRuntime;

/**
 * The spans of one service: the HTTP requests it serves, the calls of its typed clients, the messages it publishes
 * and handles. Every span's W3C context travels in {@link CallContext} (and so in the MDC keys {@code traceId} and
 * {@code spanId}) and in the {@code traceparent}/{@code tracestate} headers of outgoing requests and messages.
 *
 * <p>Two modes, chosen when the service starts:
 * <ul>
 *   <li><b>Propagation only</b> (nothing to export to: the default). No span is recorded. Each request or handled
 *   message still gets a span id of its own, a trace is started when none came in, and the trace context is passed
 *   on, so logs correlate across services. Outgoing calls and publishes forward the current context unchanged; this
 *   costs a random number and a short string per request, nothing per call.</li>
 *   <li><b>Exporting</b>: when {@code tracing.otlp.endpoint} is set (spans go to an OpenTelemetry collector over
 *   OTLP/HTTP, in batches) or the runtime was given a {@link SpanExporter}
 *   ({@link ServiceRuntime.Builder#spanExporter(SpanExporter)}). The service then has an OpenTelemetry SDK tracer
 *   of its own, with {@code service.name} set to the service's name; nothing global is used.</li>
 * </ul>
 *
 * <p>Configuration, under {@code tracing}: {@code enabled} ({@code true}; {@code false} records nothing even when an
 * exporter is there, and keeps propagation), {@code otlp.endpoint} (none; for example
 * {@code http://collector:4318/v1/traces}), {@code otlp.timeout} ({@code PT10S}), {@code sampler.ratio}
 * ({@code 1.0}: the share of new traces recorded; a request that arrives with a trace follows its caller's decision).
 *
 * <p>Thread-safe.
 */
public final class Tracing implements AutoCloseable {
    /** Span attribute with the attempt number of a typed-client call (1 for the first): {@value}. */
    public static final String ATTEMPT_ATTRIBUTE = "flotilla.attempt";

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** No trace, nothing recorded. */
    private static final Span NONE = new Span(null, null, null);

    private final String service;
    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(String service, SdkTracerProvider provider) {
        this.service = service;
        this.provider = provider;
        this.tracer = provider == null ? OpenTelemetry.noop().getTracer("dev.flotilla")
                : provider.get("dev.flotilla");
    }

    /**
     * Propagation only: no span is recorded or exported, trace context and log correlation still work.
     *
     * @param service the service's name
     * @return the tracing
     * @throws NullPointerException if {@code service} is {@code null}
     */
    public static Tracing propagationOnly(String service) {
        return new Tracing(Objects.requireNonNull(service, "service"), null);
    }

    /**
     * The tracing a service's {@code tracing} configuration asks for, exporting also to the given exporters.
     * Spans go to each given exporter as they end; a given exporter is flushed but not shut down when this tracing
     * closes, so several services (and restarts) can share one.
     *
     * @param service   the service's name, exported as the resource attribute {@code service.name}
     * @param config    the {@code tracing} node of the service's configuration (may be missing)
     * @param exporters exporters to send every recorded span to, in addition to the configured OTLP endpoint
     * @return the tracing; propagation only when there is nothing to export to or {@code tracing.enabled} is false
     * @throws NullPointerException     if an argument is {@code null}
     * @throws IllegalArgumentException if {@code sampler.ratio} is not between 0 and 1, or the OTLP endpoint is not
     *                                  an http(s) URL
     */
    public static Tracing create(String service, Config config, Collection<SpanExporter> exporters) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(exporters, "exporters");
        boolean enabled = config.get("enabled").asBoolean().orElse(true);
        String endpoint = config.get("otlp.endpoint").asString().orElse(null);
        double ratio = config.get("sampler.ratio").asDouble().orElse(1.0);
        if (ratio < 0 || ratio > 1) {
            throw new IllegalArgumentException("tracing.sampler.ratio must be between 0 and 1, was " + ratio);
        }
        if (!enabled || (endpoint == null && exporters.isEmpty())) {
            return propagationOnly(service);
        }
        SdkTracerProviderBuilder builder = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), service))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)));
        for (SpanExporter exporter : exporters) {
            builder.addSpanProcessor(SimpleSpanProcessor.create(new Unclosed(exporter)));
        }
        if (endpoint != null) {
            if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                throw new IllegalArgumentException("tracing.otlp.endpoint must be an http(s) URL such as "
                        + "http://collector:4318/v1/traces, was '" + endpoint + "'");
            }
            Duration timeout = config.get("otlp.timeout").as(Duration.class).orElse(Duration.ofSeconds(10));
            builder.addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                                                                        .setEndpoint(endpoint)
                                                                        .setTimeout(timeout)
                                                                        .build()).build());
        }
        return new Tracing(service, builder.build());
    }

    /**
     * Whether spans are recorded and exported.
     *
     * @return {@code false} in propagation-only mode
     */
    public boolean exporting() {
        return provider != null;
    }

    /**
     * The service's OpenTelemetry tracer, for spans of your own; a no-op tracer in propagation-only mode. Make a
     * span a child of the current request with {@link #parentOf(CallContext)}.
     *
     * @return the tracer
     */
    public Tracer tracer() {
        return tracer;
    }

    /**
     * The OpenTelemetry context of a call context's trace, as the parent of spans of your own.
     *
     * @param call the call context
     * @return the context; the root context when the call has no trace
     * @throws NullPointerException if {@code call} is {@code null}
     */
    public static Context parentOf(CallContext call) {
        Objects.requireNonNull(call, "call");
        return extract(call.traceParent().orElse(null), call.traceState().orElse(null));
    }

    /**
     * Starts a span as a child of the given W3C context. In propagation-only mode nothing is recorded: server and
     * consumer spans get a new span id (server spans also a new trace when there is no parent; a consumer span of a
     * message sent outside any trace stays without one), client and producer spans pass the parent on unchanged.
     * A consumer span also links to its parent (the publishing span).
     *
     * @param name        the span name, such as {@code GET /users/{id}} or {@code process orders.placed.v1}
     * @param kind        the kind
     * @param traceParent the parent's {@code traceparent}; {@code null} (or malformed) for a new trace
     * @param traceState  the parent's {@code tracestate}; may be {@code null}
     * @return the started span; end it with {@link Span#end()}
     * @throws NullPointerException if {@code name} or {@code kind} is {@code null}
     */
    public Span start(String name, SpanKind kind, String traceParent, String traceState) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (provider == null) {
            boolean valid = CallContext.isTraceParent(traceParent);
            if (kind == SpanKind.CLIENT || kind == SpanKind.PRODUCER || kind == SpanKind.INTERNAL) {
                return valid ? new Span(null, traceParent, traceState) : NONE;
            }
            if (!valid && kind == SpanKind.CONSUMER) {
                // A message sent outside any trace: nothing to correlate with, and no cost per message.
                return NONE;
            }
            return new Span(null, childTraceParent(valid ? traceParent : null), valid ? traceState : null);
        }
        Context parent = extract(traceParent, traceState);
        io.opentelemetry.api.trace.SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind).setParent(parent);
        SpanContext parentSpan = io.opentelemetry.api.trace.Span.fromContext(parent).getSpanContext();
        if (kind == SpanKind.CONSUMER && parentSpan.isValid()) {
            builder.addLink(parentSpan);
        }
        io.opentelemetry.api.trace.Span span = builder.startSpan();
        SpanContext context = span.getSpanContext();
        if (!context.isValid()) {
            return new Span(span, CallContext.isTraceParent(traceParent) ? traceParent : null, traceState);
        }
        String state = context.getTraceState().isEmpty() ? null : W3C.traceState(context);
        return new Span(span, "00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                + context.getTraceFlags().asHex(), state);
    }

    /**
     * Starts a span as a child of the context current on this thread (or of nothing).
     *
     * @param name the span name
     * @param kind the kind
     * @return the started span
     * @throws NullPointerException if an argument is {@code null}
     */
    public Span startChild(String name, SpanKind kind) {
        CallContext call = CallContext.current().orElse(null);
        return call == null ? start(name, kind, null, null)
                : start(name, kind, call.traceParent().orElse(null), call.traceState().orElse(null));
    }

    private static Context extract(String traceParent, String traceState) {
        if (!CallContext.isTraceParent(traceParent)) {
            return Context.root();
        }
        Map<String, String> carrier = new HashMap<>(4);
        carrier.put(CallContext.TRACEPARENT_HEADER, traceParent);
        if (traceState != null) {
            carrier.put(CallContext.TRACESTATE_HEADER, traceState);
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER);
    }

    /**
     * A {@code traceparent} with a new span id: in the parent's trace with its flags, or in a new sampled trace when
     * there is no parent. Written into one array: {@code 00-<trace id>-<span id>-<flags>}.
     */
    private static String childTraceParent(String parent) {
        char[] out = new char[55];
        out[0] = '0';
        out[1] = '0';
        out[2] = '-';
        if (parent != null) {
            parent.getChars(3, 35, out, 3);
            parent.getChars(53, 55, out, 53);
        } else {
            fillHex(out, 3, 32);
            out[53] = '0';
            out[54] = '1';
        }
        out[35] = '-';
        fillHex(out, 36, 16);
        out[52] = '-';
        return new String(out);
    }

    /** Random lowercase hex digits into {@code out[from, from + count)}. */
    private static void fillHex(char[] out, int from, int count) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = from;
        int end = from + count;
        while (i < end) {
            long value = random.nextLong();
            for (int b = 0; b < 16 && i < end; b++) {
                out[i++] = HEX[(int) (value & 0xf)];
                value >>>= 4;
            }
        }
    }

    /** Ends recording: flushes and shuts down the configured exporters (given exporters are only flushed). */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "Tracing[" + service + (provider == null ? ", propagation only]" : ", exporting]");
    }

    /**
     * One started span: its W3C context for propagation, and the recorded span behind it when exporting. Not
     * thread-safe: end it on one thread.
     */
    public static final class Span {
        private final io.opentelemetry.api.trace.Span span;
        private final String traceParent;
        private final String traceState;

        private Span(io.opentelemetry.api.trace.Span span, String traceParent, String traceState) {
            this.span = span;
            this.traceParent = traceParent;
            this.traceState = traceState;
        }

        /**
         * The {@code traceparent} that names this span, to send on and to open a {@link CallContext} with.
         *
         * @return the value; {@code null} only for a client, producer or consumer span without a parent in
         *         propagation-only mode
         */
        public String traceParent() {
            return traceParent;
        }

        /**
         * The {@code tracestate} to send on with {@link #traceParent()}.
         *
         * @return the value; may be {@code null}
         */
        public String traceState() {
            return traceState;
        }

        /**
         * Whether the span is recorded (exporting mode, sampled).
         *
         * @return {@code true} when attributes set here are exported
         */
        public boolean recording() {
            return span != null && span.isRecording();
        }

        /**
         * Sets a string attribute (ignored when not recording).
         *
         * @param key   the key
         * @param value the value; {@code null} is ignored
         * @return this span
         */
        public Span attribute(String key, String value) {
            if (span != null && value != null) {
                span.setAttribute(key, value);
            }
            return this;
        }

        /**
         * Sets a number attribute (ignored when not recording).
         *
         * @param key   the key
         * @param value the value
         * @return this span
         */
        public Span attribute(String key, long value) {
            if (span != null) {
                span.setAttribute(key, value);
            }
            return this;
        }

        /**
         * Renames the span, such as a server span once its route is known (ignored when not recording).
         *
         * @param name the new name
         * @return this span
         */
        public Span name(String name) {
            if (span != null) {
                span.updateName(name);
            }
            return this;
        }

        /**
         * Marks the span as failed, with the exception recorded (ignored when not recording).
         *
         * @param error what went wrong; {@code null} marks the span failed without an exception
         * @return this span
         */
        public Span failed(Throwable error) {
            if (span != null) {
                if (error != null) {
                    span.recordException(error);
                }
                span.setStatus(StatusCode.ERROR, error == null ? "" : String.valueOf(error.getMessage()));
            }
            return this;
        }

        /** Ends the span; it is exported (when recording) from now on. */
        public void end() {
            if (span != null) {
                span.end();
            }
        }
    }

    /** tracestate as the W3C header writes it. */
    private static final class W3C {
        static String traceState(SpanContext context) {
            List<String> entries = new ArrayList<>();
            context.getTraceState().forEach((k, v) -> entries.add(k + "=" + v));
            return String.join(",", entries);
        }
    }

    /** A given exporter: flushed, never shut down, by a service's tracing. */
    private record Unclosed(SpanExporter delegate) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return delegate.export(spans);
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.flush();
        }
    }
}
