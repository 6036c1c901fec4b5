package dev.flotilla.messaging.permissions;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one service does on NATS: from its {@code $SRV.INFO} metadata, {@code flotilla.service} (its name) and
 * {@code flotilla.events} (the events it declares); from its answer on {@code flotilla.usage.<name>}, what its
 * messaging has seen. The answers of several instances are merged.
 */
final class ServiceUsage {
    static final String SERVICE_KEY = "flotilla.service";
    static final String EVENTS_KEY = "flotilla.events";
    /** The subject prefix each instance answers its usage on; the NATS service name follows. */
    static final String USAGE_PREFIX = "flotilla.usage.";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final String natsName;
    String inbox;
    final Set<String> publish = new TreeSet<>();
    final Set<String> request = new TreeSet<>();
    final Set<String> subscribe = new TreeSet<>();
    final Set<String> respond = new TreeSet<>();
    final Set<String> stream = new TreeSet<>();
    final Set<String> consumer = new TreeSet<>();
    final Set<String> discover = new TreeSet<>();
    final Set<String> kv = new TreeSet<>();
    /** Buckets it creates, reads, writes and watches. */
    final Set<String> kvWrite = new TreeSet<>();

    ServiceUsage(String name, String natsName) {
        this.name = name;
        this.natsName = natsName;
    }

    /** A NATS service name has only letters, digits, '-' and '_' (as messaging registers it). */
    static String natsName(String service) {
        return service.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /**
     * Adds one {@code $SRV.INFO} answer's metadata: the events the service declares.
     *
     * @throws IllegalArgumentException if the metadata's JSON cannot be read
     */
    void merge(Map<String, String> metadata) {
        String events = metadata.get(EVENTS_KEY);
        if (events != null) {
            for (JsonNode event : read(events)) {
                if ("publishes".equals(event.path("direction").asText())) {
                    publish.add(event.path("subject").asText());
                }
            }
        }
    }

    /**
     * Adds one instance's answer on {@code flotilla.usage.<name>}.
     *
     * @throws IllegalArgumentException if the answer is not JSON
     */
    void mergeUsage(String json) {
        JsonNode node = read(json);
        if (node.hasNonNull("inbox")) {
            inbox = node.get("inbox").asText();
        }
        addAll(node, "publish", publish);
        addAll(node, "request", request);
        addAll(node, "subscribe", subscribe);
        addAll(node, "respond", respond);
        addAll(node, "stream", stream);
        addAll(node, "consumer", consumer);
        addAll(node, "discover", discover);
        addAll(node, "kv", kv);
        addAll(node, "kv-write", kvWrite);
    }

    /**
     * The service an answer on {@code flotilla.usage.<name>} is from.
     *
     * @return the name; empty when the answer is not a usage answer
     */
    static String serviceOf(String json) {
        try {
            return JSON.readTree(json).path("service").asText("");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "";
        }
    }

    private static void addAll(JsonNode node, String field, Set<String> into) {
        node.path(field).forEach(v -> into.add(v.asText()));
    }

    private JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Service '" + name + "' published metadata that is not JSON: "
                    + e.getOriginalMessage(), e);
        }
    }
}
