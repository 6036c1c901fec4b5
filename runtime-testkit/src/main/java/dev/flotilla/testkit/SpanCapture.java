package dev.flotilla.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/** Keeps the spans every service of a system records, in the order they end. Thread-safe. */
final class SpanCapture implements SpanExporter {
    static final int MAX_SPANS = 10_000;

    private final List<SpanData> spans = new ArrayList<>();

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> batch) {
        spans.addAll(batch);
        if (spans.size() > MAX_SPANS) {
            spans.subList(0, spans.size() - MAX_SPANS).clear();
        }
        return CompletableResultCode.ofSuccess();
    }

    synchronized List<SpanData> spans() {
        return List.copyOf(spans);
    }

    synchronized void clear() {
        spans.clear();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
