package dev.flotilla.testkit;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Optional;
import java.util.function.BiConsumer;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Records every HTTP exchange a service answers, for {@link ContractConformance}: an HTTP filter that tees the request
 * body as the handler reads it and the response body as it is written (before Helidon's content encoders, so the bytes
 * are the plain entity), and records the exchange when the response entity is complete, before its last bytes reach
 * the caller. Responses sent by the error handlers pass through the same streams, so problem answers are seen too.
 *
 * <p>Not recorded: health, metrics and the published contracts (never contract operations), requests over TLS (the
 * service's contract could not be fetched without the client's keys), and what the faults filter answers in the
 * service's place (it runs before this filter).
 */
final class ExchangeCapture implements ServiceExtensionProvider {
    /** Bodies above this size are recorded as truncated, and their schema is not checked. */
    static final int MAX_BODY_BYTES = 1 << 20;

    /**
     * What a service answered to one request.
     *
     * @param request the request body as far as the handler read it; empty when it read none
     */
    record Exchange(String service, String method, String rawPath, int status, String responseContentType,
                    Body response, String requestContentType, Body request) {
    }

    /**
     * A captured body.
     *
     * @param bytes     the bytes, at most {@link #MAX_BODY_BYTES}
     * @param truncated whether the body was longer
     */
    record Body(byte[] bytes, boolean truncated) {
        static final Body NONE = new Body(new byte[0], false);

        boolean isEmpty() {
            return bytes.length == 0 && !truncated;
        }
    }

    private final BiConsumer<Exchange, URI> recorder;

    /**
     * @param recorder gets each exchange with the base URI of the instance that answered it ({@code null} when the
     *                 instance has stopped listening meanwhile)
     */
    ExchangeCapture(BiConsumer<Exchange, URI> recorder) {
        this.recorder = recorder;
    }

    @Override
    public Optional<ServiceExtension> create(ServiceContext context) {
        return Optional.of(new ServiceExtension() {
            @Override
            public void routing(HttpRouting.Builder routing) {
                routing.addFilter((chain, req, res) -> {
                    String path = req.prologue().uriPath().path();
                    if (req.isSecure() || isNotAnOperation(path)) {
                        chain.proceed();
                        return;
                    }
                    capture(context, req, res);
                    chain.proceed();
                });
            }
        });
    }

    private void capture(ServiceContext context, RoutingRequest req, RoutingResponse res) {
        BoundedBuffer requestBody = new BoundedBuffer();
        req.streamFilter(in -> new TeeInputStream(in, requestBody));
        res.streamFilter(out -> {
            // A copy per stream: an error handler that resets the response gets a new stream, and its body alone
            BoundedBuffer responseBody = new BoundedBuffer();
            return new TeeOutputStream(out, responseBody, () -> {
                Exchange exchange = new Exchange(
                        context.name(), req.prologue().method().text(), req.prologue().uriPath().rawPath(),
                        res.status().code(), res.headers().first(HeaderNames.CONTENT_TYPE).orElse(null),
                        responseBody.body(), req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null),
                        requestBody.body());
                recorder.accept(exchange, context.uri().orElse(null));
            });
        });
    }

    private static boolean isNotAnOperation(String path) {
        return path.equals("/health") || path.startsWith("/health/") || path.equals("/metrics")
                || path.startsWith("/metrics/") || path.equals("/openapi") || path.equals("/asyncapi");
    }

    /** Keeps the first {@link #MAX_BODY_BYTES} bytes that pass. Used by one request's thread at a time. */
    private static final class BoundedBuffer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean truncated;
        void add(byte[] b, int off, int len) {
            int room = MAX_BODY_BYTES - bytes.size();
            if (len > room) {
                truncated = true;
            }
            bytes.write(b, off, Math.min(len, Math.max(room, 0)));
        }

        Body body() {
            return new Body(bytes.toByteArray(), truncated);
        }
    }

    private static final class TeeInputStream extends FilterInputStream {
        private final BoundedBuffer copy;

        TeeInputStream(InputStream in, BoundedBuffer copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                copy.add(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                copy.add(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes would leave a hole in the copy: read them through instead.
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            int read = read(buffer, 0, buffer.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    private static final class TeeOutputStream extends FilterOutputStream {
        private final BoundedBuffer copy;
        private final Runnable complete;
        private boolean closed;

        TeeOutputStream(OutputStream out, BoundedBuffer copy, Runnable complete) {
            super(out);
            this.copy = copy;
            this.complete = complete;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            copy.add(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            copy.add(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                // Recorded before the stream completes the response: by the time the caller has the whole answer,
                // the exchange is recorded, so a check right after the test sees it.
                complete.run();
            } finally {
                out.close();
            }
        }
    }
}
