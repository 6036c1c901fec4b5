package dev.flotilla.core.contract;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.core.http.HttpContracts;

/**
 * A service's published contract: the OpenAPI 3.1 document of its HTTP contracts and the schemas of the events it
 * publishes and consumes. It is what a service snapshots beside its code, and what the testkit's compatibility
 * check compares with that snapshot. Immutable.
 *
 * <pre>{@code
 * ContractDocument contract = ContractDocument.builder()
 *         .title("product-service").version("2.0.0")
 *         .http(ProductApiV1.class, ProductApiV2.class)
 *         .event(EventContract.publishes("products.price-changed.v1", PriceChanged.class))
 *         .build();
 * }</pre>
 *
 * <p>The JSON form ({@link #toJson()}) is {@code {"openapi": {...}, "events": [...]}} with events sorted by
 * subject, so a snapshot file only changes when the contract does.
 */
public final class ContractDocument {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final ObjectNode openApi;
    private final List<EventContract> events;

    private ContractDocument(ObjectNode openApi, List<EventContract> events) {
        this.openApi = openApi.deepCopy();
        List<EventContract> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(EventContract::subject).thenComparing(EventContract::direction));
        this.events = List.copyOf(sorted);
    }

    /**
     * A contract from an OpenAPI document (such as one fetched from a service's {@code /openapi}) and events.
     *
     * @param openApi the OpenAPI document
     * @param events  the events
     * @return the contract
     * @throws NullPointerException if an argument is {@code null}
     */
    public static ContractDocument of(ObjectNode openApi, List<EventContract> events) {
        Objects.requireNonNull(openApi, "openApi");
        Objects.requireNonNull(events, "events");
        return new ContractDocument(openApi, events);
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the JSON form written by {@link #toJson()}.
     *
     * @param json the text
     * @return the contract
     * @throws IllegalArgumentException if the text is not a contract document
     * @throws NullPointerException     if {@code json} is {@code null}
     */
    public static ContractDocument parse(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a contract document: " + e.getOriginalMessage(), e);
        }
        if (!(root instanceof ObjectNode) || !(root.get("openapi") instanceof ObjectNode openApi)) {
            throw new IllegalArgumentException("Not a contract document: no \"openapi\" object");
        }
        List<EventContract> events = new ArrayList<>();
        for (JsonNode event : root.path("events")) {
            String sunset = event.path("sunset").asText("");
            events.add(new EventContract(
                    event.path("subject").asText(),
                    EventContract.Direction.valueOf(event.path("direction").asText().toUpperCase(Locale.ROOT)),
                    event.path("schema"),
                    event.path("deprecated").asBoolean(),
                    sunset.isEmpty() ? Optional.empty() : Optional.of(LocalDate.parse(sunset))));
        }
        return new ContractDocument(openApi, events);
    }

    /**
     * The OpenAPI 3.1 document.
     *
     * @return a copy, owned by the caller
     */
    public ObjectNode openApi() {
        return openApi.deepCopy();
    }

    /**
     * The events, sorted by subject.
     *
     * @return the events; empty when there are none
     */
    public List<EventContract> events() {
        return events;
    }

    /**
     * The JSON form: stable key order, indented, ending in a newline.
     *
     * @return the text
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.set("openapi", openApi);
        ArrayNode list = root.putArray("events");
        for (EventContract event : events) {
            ObjectNode node = list.addObject();
            node.put("subject", event.subject());
            node.put("direction", event.direction().name().toLowerCase(Locale.ROOT));
            node.put("deprecated", event.deprecated());
            event.sunset().ifPresent(d -> node.put("sunset", d.toString()));
            node.set("schema", event.schema());
        }
        try {
            // through a tree copy ordered by key, so the file is stable
            Object ordered = JSON.treeToValue(root, Object.class);
            return JSON.writeValueAsString(ordered) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContractDocument other && openApi.equals(other.openApi) && events.equals(other.events);
    }

    @Override
    public int hashCode() {
        return Objects.hash(openApi, events);
    }

    @Override
    public String toString() {
        return "ContractDocument[" + openApi.path("info").path("title").asText() + ", " + events.size()
                + " events]";
    }

    /** Builds a {@link ContractDocument}. Not thread-safe. */
    public static final class Builder {
        private String title = "service";
        private String version = "0.0.0";
        private final List<Class<?>> contracts = new ArrayList<>();
        private final List<EventContract> events = new ArrayList<>();

        private Builder() {
        }

        /**
         * The title of the OpenAPI document, usually the service name (default {@code service}).
         *
         * @param title the title
         * @return this builder
         * @throws NullPointerException if {@code title} is {@code null}
         */
        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        /**
         * The version of the OpenAPI document, usually the service version (default {@code 0.0.0}).
         *
         * @param version the version
         * @return this builder
         * @throws NullPointerException if {@code version} is {@code null}
         */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * Adds HTTP contract interfaces.
         *
         * @param contracts the interfaces
         * @return this builder
         * @throws NullPointerException if a contract is {@code null}
         */
        public Builder http(Class<?>... contracts) {
            for (Class<?> contract : contracts) {
                this.contracts.add(Objects.requireNonNull(contract, "contract"));
            }
            return this;
        }

        /**
         * Adds events.
         *
         * @param events the events
         * @return this builder
         * @throws NullPointerException if an event is {@code null}
         */
        public Builder event(EventContract... events) {
            for (EventContract event : events) {
                this.events.add(Objects.requireNonNull(event, "event"));
            }
            return this;
        }

        /**
         * Adds events.
         *
         * @param events the events, such as a messaging {@code EventCatalog}'s
         * @return this builder
         * @throws NullPointerException if an event is {@code null}
         */
        public Builder events(List<EventContract> events) {
            return event(events.toArray(EventContract[]::new));
        }

        /**
         * Builds the document.
         *
         * @return the contract
         * @throws dev.flotilla.core.http.ContractException if an interface is not a valid contract
         */
        public ContractDocument build() {
            return new ContractDocument(HttpContracts.openApi(title, version, contracts), events);
        }
    }
}
