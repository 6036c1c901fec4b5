package dev.flotilla.messaging;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.core.contract.EventContract;

/**
 * The events a service publishes and consumes, with the JSON Schemas of their payloads: the event half of the
 * service's contract. Reach it with {@link Messaging#events()}.
 *
 * <pre>{@code
 * messaging.events()
 *         .publishes("orders.order-placed.v1", OrderPlacedV1.class)
 *         .publishes("orders.order-placed.v2", OrderPlaced.class);
 * }</pre>
 *
 * <p>Subjects end in their major version ({@code <context>.<event>.v<N>}). Subscriptions to such a concrete
 * subject are recorded as consumed automatically; publishing is declared here, once, when the service starts. The
 * list is published in the service's {@code $SRV.INFO} metadata as {@code flotilla.events} (subject, direction and
 * deprecation; compact JSON) and with full schemas at the service's {@code GET /asyncapi} (an AsyncAPI 3.0
 * document). An event record type marked {@link Deprecated} or {@link dev.flotilla.core.http.Sunset} is listed as
 * deprecated. Declaring the same subject and direction again replaces the earlier declaration.
 *
 * <p>Thread-safe.
 */
public final class EventCatalog {
    /** The {@code $SRV.INFO} metadata key of the event list: {@value}. */
    public static final String METADATA_KEY = "flotilla.events";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<EventContract> events = new CopyOnWriteArrayList<>();
    private final Consumer<List<EventContract>> onChange;

    EventCatalog(Consumer<List<EventContract>> onChange) {
        this.onChange = onChange;
    }

    /**
     * Declares an event the service publishes.
     *
     * @param subject the subject, ending in its version, such as {@code orders.order-placed.v1}
     * @param type    the payload's record type
     * @return this catalog
     * @throws IllegalArgumentException if the subject is not concrete or does not end in {@code .v<N>}
     * @throws NullPointerException     if an argument is {@code null}
     */
    public EventCatalog publishes(String subject, Class<?> type) {
        return add(EventContract.publishes(subject, type));
    }

    /**
     * Declares an event the service consumes (done for you by subscriptions to concrete versioned subjects).
     *
     * @param subject the subject, ending in its version
     * @param type    the payload type the service decodes to
     * @return this catalog
     * @throws IllegalArgumentException if the subject is not concrete or does not end in {@code .v<N>}
     * @throws NullPointerException     if an argument is {@code null}
     */
    public EventCatalog consumes(String subject, Class<?> type) {
        return add(EventContract.consumes(subject, type));
    }

    private EventCatalog add(EventContract event) {
        Objects.requireNonNull(event, "event");
        synchronized (events) {
            events.removeIf(e -> e.subject().equals(event.subject()) && e.direction() == event.direction());
            events.add(event);
        }
        onChange.accept(events());
        return this;
    }

    /**
     * Every declared event, sorted by subject.
     *
     * @return a snapshot; empty when nothing was declared
     */
    public List<EventContract> events() {
        List<EventContract> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(EventContract::subject).thenComparing(EventContract::direction));
        return List.copyOf(sorted);
    }

    /** The compact list for {@code $SRV.INFO}: subject, direction and deprecation, without schemas. */
    static String metadata(List<EventContract> events) {
        ArrayNode list = JSON.createArrayNode();
        for (EventContract event : events) {
            ObjectNode node = list.addObject()
                    .put("subject", event.subject())
                    .put("direction", event.direction().name().toLowerCase(Locale.ROOT));
            if (event.deprecated()) {
                node.put("deprecated", true);
            }
            event.sunset().ifPresent(d -> node.put("sunset", d.toString()));
        }
        return list.toString();
    }

    /** An AsyncAPI 3.0 document of the events: one channel per subject, a send or receive operation each. */
    static ObjectNode asyncApi(String service, String version, List<EventContract> events) {
        ObjectNode document = JSON.createObjectNode();
        document.put("asyncapi", "3.0.0");
        document.putObject("info").put("title", service).put("version", version);
        ObjectNode channels = document.putObject("channels");
        ObjectNode operations = document.putObject("operations");
        for (EventContract event : events) {
            String channel = event.subject().replaceAll("[^A-Za-z0-9_-]", "_");
            ObjectNode node = channels.has(channel) ? (ObjectNode) channels.get(channel) : channels.putObject(channel);
            node.put("address", event.subject());
            ObjectNode payload = node.putObject("messages").putObject("payload").putObject("payload");
            payload.put("schemaFormat", "application/schema+json;version=draft-2020-12");
            payload.set("schema", event.schema());
            boolean publishes = event.direction() == EventContract.Direction.PUBLISHES;
            ObjectNode operation = operations.putObject((publishes ? "publish_" : "consume_") + channel);
            operation.put("action", publishes ? "send" : "receive");
            operation.putObject("channel").put("$ref", "#/channels/" + channel);
            if (event.deprecated()) {
                operation.put("x-deprecated", true);
            }
            event.sunset().ifPresent(d -> operation.put("x-sunset", d.toString()));
        }
        return document;
    }

    static JsonNode parseMetadata(String metadata) {
        try {
            return JSON.readTree(metadata);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
