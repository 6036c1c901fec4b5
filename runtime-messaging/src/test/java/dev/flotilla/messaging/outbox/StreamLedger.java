package dev.flotilla.messaging.outbox;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flotilla.messaging.MessagingHeaders;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;

/**
 * Counts what reached NATS, per {@code Nats-Msg-Id}, two ways that can both see a double: every message a core
 * subscription on the subjects saw (each publish, including those the stream then dropped as duplicates), and every
 * message stored in the stream (read back by sequence). Public for the idempotency tests.
 */
public final class StreamLedger implements AutoCloseable {

    private final Connection connection;
    private final String stream;
    private final Map<String, AtomicInteger> published = new ConcurrentHashMap<>();

    public StreamLedger(String url, String stream, String subjects) throws Exception {
        this.connection = Nats.connect(new Options.Builder().server(url).maxReconnects(-1)
                                               .reconnectWait(Duration.ofMillis(50)).build());
        this.stream = stream;
        Dispatcher dispatcher = connection.createDispatcher(m -> {
            String id = m.getHeaders() == null ? null : m.getHeaders().getFirst(MessagingHeaders.MESSAGE_ID);
            published.computeIfAbsent(id == null ? "<none>" : id, k -> new AtomicInteger()).incrementAndGet();
        });
        dispatcher.subscribe(subjects);
        connection.flush(Duration.ofSeconds(5));
    }

    /** How many times each id was published while this ledger was connected. */
    public Map<String, Integer> published() {
        Map<String, Integer> copy = new HashMap<>();
        published.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** How many messages the stream stores. */
    public long storedCount() {
        try {
            return connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (IOException | JetStreamApiException e) {
            return -1; // not reachable now (a restarting server): asked again
        }
    }

    /** How many messages the stream stores per id (messages without one under {@code <none>}). */
    public Map<String, Integer> stored() {
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            long last = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
            Map<String, Integer> counts = new HashMap<>();
            for (long seq = 1; seq <= last; seq++) {
                MessageInfo info = jsm.getMessage(stream, seq);
                String id = info.getHeaders() == null ? null : info.getHeaders().getFirst(MessagingHeaders.MESSAGE_ID);
                counts.merge(id == null ? "<none>" : id, 1, Integer::sum);
            }
            return counts;
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("Cannot read stream " + stream + ": " + e, e);
        }
    }

    /** One stored message's header, by id; null when absent. */
    public String storedHeader(String messageId, String header) {
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            long last = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
            for (long seq = 1; seq <= last; seq++) {
                MessageInfo info = jsm.getMessage(stream, seq);
                if (info.getHeaders() != null
                        && messageId.equals(info.getHeaders().getFirst(MessagingHeaders.MESSAGE_ID))) {
                    return info.getHeaders().getFirst(header);
                }
            }
            return null;
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
