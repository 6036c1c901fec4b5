package dev.flotilla.messaging;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one service does on NATS, as far as its messaging has seen it: the subjects it publishes to (events, durable
 * publishes, dead letters), the requests it sends, its subscriptions and responders with their queue groups, the
 * streams it declares, its durable consumers, the services it looks up, the central configuration bucket it reads, the
 * key-value buckets it reads and writes (such as its saga engine's) and the inbox prefix of its connection. Each
 * instance answers requests on {@code flotilla.usage.<nats service name>} with it (compact JSON), where
 * {@code dev.flotilla.messaging.permissions} asks for it to write the service's NATS permissions.
 *
 * <p>Asked for rather than published in the {@code $SRV.INFO} metadata: a NATS micro service's metadata is fixed, so
 * each change would replace the service, and a replacement at an arbitrary moment (the first publish of a subject, in
 * the middle of a request) races with discovery, which may then see the service twice or not at all. Recording is a
 * set lookup on the publish path. Thread-safe.
 */
final class NatsUsage {
    /** The subject prefix each instance answers its usage on; the NATS service name follows: {@value}. */
    static final String SUBJECT_PREFIX = "flotilla.usage.";
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
    private final Set<String> writableBuckets = ConcurrentHashMap.newKeySet();
    private final String service;
    private final String inboxPrefix;

    NatsUsage(String service, String inboxPrefix) {
        this.service = service;
        this.inboxPrefix = inboxPrefix;
    }

    void published(String subject) {
        // contains() first: the common case on the publish path is a subject seen before, and it does not write
        if (!publishes.contains(subject)) {
            publishes.add(subject);
        }
    }

    void requested(String subject) {
        if (!requests.contains(subject)) {
            requests.add(subject);
        }
    }

    void subscribed(String subject, String queueGroupOrNull) {
        subscribes.add(queueGroupOrNull == null ? subject : subject + " " + queueGroupOrNull);
    }

    void responds(String subject, String queueGroupOrNull) {
        responds.add(queueGroupOrNull == null ? subject : subject + " " + queueGroupOrNull);
    }

    void declaredStream(String stream) {
        streams.add(stream);
    }

    void consumes(String stream, String durable) {
        consumers.add(stream + " " + durable);
    }

    void discovers(String natsServiceName) {
        if (!discovers.contains(natsServiceName)) {
            discovers.add(natsServiceName);
        }
    }

    void readsBucket(String bucket) {
        buckets.add(bucket);
    }

    /** A key-value bucket the service creates, reads, writes and watches (its saga engine's). */
    void writesBucket(String bucket) {
        writableBuckets.add(bucket);
    }

    /** The compact JSON each instance answers with; lists sorted, so equal usage reads the same. */
    String json() {
        ObjectNode node = JSON.createObjectNode();
        node.put("service", service);
        node.put("inbox", inboxPrefix);
        add(node, "publish", publishes);
        add(node, "request", requests);
        add(node, "subscribe", subscribes);
        add(node, "respond", responds);
        add(node, "stream", streams);
        add(node, "consumer", consumers);
        add(node, "discover", discovers);
        add(node, "kv", buckets);
        add(node, "kv-write", writableBuckets);
        return node.toString();
    }

    private static void add(ObjectNode node, String name, Set<String> values) {
        if (!values.isEmpty()) {
            ArrayNode list = node.putArray(name);
            new TreeSet<>(values).forEach(list::add);
        }
    }
}
