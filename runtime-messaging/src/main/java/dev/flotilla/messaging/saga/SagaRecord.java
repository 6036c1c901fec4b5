package dev.flotilla.messaging.saga;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.messaging.MessagingException;

/**
 * A saga instance's stored state (mutable; one owner changes it and stores it by compare-and-set). Written as JSON
 * through the tree model, so no reflection on this module's classes is needed.
 */
final class SagaRecord {
    static final int MAX_HISTORY = 200;

    String name;
    String id;
    SagaState state;
    /** The step running or waited on; in COMPENSATING the step being compensated. */
    int step;
    /** Attempts started at this step (or compensation). */
    int attempt;
    JsonNode data;
    String failure;
    String owner;
    Instant leaseUntil;
    Instant stepStartedAt;
    Instant waitDeadline;
    Instant sagaDeadline;
    Instant nextAttemptAt;
    /** A reply received for the waiting step, not handled yet. */
    JsonNode reply;
    String lastError;
    /** The correlation id of the call that started the saga, carried by every step's calls. */
    String correlationId;
    String traceParent;
    String traceState;
    Instant startedAt;
    Instant updatedAt;
    final List<SagaEvent> history = new ArrayList<>();

    String key() {
        return name + "." + id;
    }

    void event(Instant at, String stepName, String event, String detail) {
        if (history.size() >= MAX_HISTORY) {
            history.remove(1); // keep "started", drop the oldest after it
        }
        history.add(new SagaEvent(at, stepName, event, detail == null ? "" : detail));
    }

    /**
     * When this saga next needs an engine's attention: an owner's lease expiring, a retry, a wait deadline or the
     * saga's deadline; {@code null} once finished.
     */
    Instant dueAt() {
        if (state.finished()) {
            return null;
        }
        if (owner != null) {
            return leaseUntil;
        }
        Instant due = switch (state) {
            case WAITING -> waitDeadline;
            case RUNNING, COMPENSATING -> nextAttemptAt != null ? nextAttemptAt : Instant.EPOCH;
            default -> null;
        };
        if (state != SagaState.COMPENSATING && sagaDeadline != null && (due == null || sagaDeadline.isBefore(due))) {
            due = sagaDeadline;
        }
        return due;
    }

    byte[] toJson(ObjectMapper mapper) {
        ObjectNode o = mapper.createObjectNode();
        o.put("name", name).put("id", id).put("state", state.name()).put("step", step).put("attempt", attempt);
        o.set("data", data);
        put(o, "failure", failure);
        put(o, "owner", owner);
        put(o, "leaseUntil", leaseUntil);
        put(o, "stepStartedAt", stepStartedAt);
        put(o, "waitDeadline", waitDeadline);
        put(o, "sagaDeadline", sagaDeadline);
        put(o, "nextAttemptAt", nextAttemptAt);
        if (reply != null) {
            o.set("reply", reply);
        }
        put(o, "lastError", lastError);
        put(o, "correlationId", correlationId);
        put(o, "traceparent", traceParent);
        put(o, "tracestate", traceState);
        put(o, "startedAt", startedAt);
        put(o, "updatedAt", updatedAt);
        ArrayNode events = o.putArray("history");
        for (SagaEvent e : history) {
            events.addObject().put("at", e.at().toString()).put("step", e.step()).put("event", e.event())
                    .put("detail", e.detail());
        }
        try {
            return mapper.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new MessagingException("Saga state of " + key() + " cannot be written: " + e.getMessage(), e);
        }
    }

    static SagaRecord fromJson(ObjectMapper mapper, byte[] json) {
        JsonNode o;
        try {
            o = mapper.readTree(json);
        } catch (IOException e) {
            throw new MessagingException("Saga state cannot be read: " + e.getMessage(), e);
        }
        SagaRecord r = new SagaRecord();
        r.name = o.path("name").asText();
        r.id = o.path("id").asText();
        r.state = SagaState.valueOf(o.path("state").asText());
        r.step = o.path("step").asInt();
        r.attempt = o.path("attempt").asInt();
        r.data = o.get("data");
        r.failure = text(o, "failure");
        r.owner = text(o, "owner");
        r.leaseUntil = instant(o, "leaseUntil");
        r.stepStartedAt = instant(o, "stepStartedAt");
        r.waitDeadline = instant(o, "waitDeadline");
        r.sagaDeadline = instant(o, "sagaDeadline");
        r.nextAttemptAt = instant(o, "nextAttemptAt");
        JsonNode reply = o.get("reply");
        r.reply = reply == null || reply.isNull() ? null : reply;
        r.lastError = text(o, "lastError");
        r.correlationId = text(o, "correlationId");
        r.traceParent = text(o, "traceparent");
        r.traceState = text(o, "tracestate");
        r.startedAt = instant(o, "startedAt");
        r.updatedAt = instant(o, "updatedAt");
        for (JsonNode e : o.path("history")) {
            r.history.add(new SagaEvent(Instant.parse(e.path("at").asText()), e.path("step").asText(),
                                        e.path("event").asText(), e.path("detail").asText()));
        }
        return r;
    }

    private static void put(ObjectNode o, String field, Object value) {
        if (value != null) {
            o.put(field, value.toString());
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode o, String field) {
        String v = text(o, field);
        return v == null ? null : Instant.parse(v);
    }
}
