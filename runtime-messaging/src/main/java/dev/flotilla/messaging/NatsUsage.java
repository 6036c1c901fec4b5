package dev.flotilla.messaging;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one service does on NATS, as far as its messaging has seen it: the subjects it publishes to (events, durable
 * publishes, dead letters), the requests it sends, its subscriptions and responders with their queue groups, the
 * streams it declares, its durable consumers, the services it looks up, the central configuration bucket it reads and
 * the inbox prefix of its connection. Published in the service's {@code $SRV.INFO} metadata as {@value #METADATA_KEY}
 * (compact JSON), where {@code dev.flotilla.messaging.permissions} reads it to write the service's NATS permissions.
 *
 * <p>Each entry is recorded the first time it is seen; the metadata is refreshed then, on the recording thread, so
 * what a caller can observe afterwards on {@code $SRV.INFO} includes it. Thread-safe.
 */
final class NatsUsage {
    /** The {@code $SRV.INFO} metadata key: {@value}. */
    static final String METADATA_KEY = "flotilla.nats";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> publishes = ConcurrentHashMap.newKeySet();
    private final Set<String> requests = ConcurrentHashMap.newKeySet();
    /** "subject" or "subject queue", the form of NATS' subscribe permissions. */
    private final Set<String> subscribes = ConcurrentHashMap.newKeySet();
    private final Set<String> responds = ConcurrentHashMap.newKeySet();
    private final Set<String> streams = ConcurrentHashMap.newKeySet();
    /** "stream durable". */
    private final Set<String> consumers = ConcurrentHashMap.newKeySet();
    private final Set<String> discovers = ConcurrentHashMap.newKeySet();
    private final Set<String> buckets = ConcurrentHashMap.newKeySet();
    private final String inboxPrefix;
    private final Consumer<Map<String, String>> onChange;

    NatsUsage(String inboxPrefix, Consumer<Map<String, String>> onChange) {
        this.inboxPrefix = inboxPrefix;
        this.onChange = onChange;
    }

    void published(String subject) {
        // contains() first: the common case on the publish path is a subject seen before, and it does not write
        if (!publishes.contains(subject) && publishes.add(subject)) {
            changed();
        }
    }

    void requested(String subject) {
        if (!requests.contains(subject) && requests.add(subject)) {
            changed();
        }
    }

    void subscribed(String subject, String queueGroupOrNull) {
        if (subscribes.add(queueGroupOrNull == null ? subject : subject + " " + queueGroupOrNull)) {
            changed();
        }
    }

    void responds(String subject, String queueGroupOrNull) {
        if (responds.add(queueGroupOrNull == null ? subject : subject + " " + queueGroupOrNull)) {
            changed();
        }
    }

    void declaredStream(String stream) {
        if (streams.add(stream)) {
            changed();
        }
    }

    void consumes(String stream, String durable) {
        if (consumers.add(stream + " " + durable)) {
            changed();
        }
    }

    void discovers(String natsServiceName) {
        if (!discovers.contains(natsServiceName) && discovers.add(natsServiceName)) {
            changed();
        }
    }

    void readsBucket(String bucket) {
        if (buckets.add(bucket)) {
            changed();
        }
    }

    private void changed() {
        onChange.accept(Map.of(METADATA_KEY, json()));
    }

    /** The compact JSON of {@link #METADATA_KEY}; lists sorted, so equal usage reads the same. */
    String json() {
        ObjectNode node = JSON.createObjectNode();
        node.put("inbox", inboxPrefix);
        add(node, "publish", publishes);
        add(node, "request", requests);
        add(node, "subscribe", subscribes);
        add(node, "respond", responds);
        add(node, "stream", streams);
        add(node, "consumer", consumers);
        add(node, "discover", discovers);
        add(node, "kv", buckets);
        return node.toString();
    }

    private static void add(ObjectNode node, String name, Set<String> values) {
        if (!values.isEmpty()) {
            ArrayNode list = node.putArray(name);
            new TreeSet<>(values).forEach(list::add);
        }
    }
}
