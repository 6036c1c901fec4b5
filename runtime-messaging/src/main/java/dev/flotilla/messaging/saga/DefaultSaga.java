package dev.flotilla.messaging.saga;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.saga.SagaDefinition.Step;
import io.opentelemetry.api.trace.SpanKind;

/** A registered saga: starting, replies, takeovers and queries, on its engine's store. */
final class DefaultSaga<D> implements Saga<D> {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final SagaEngine engine;
    private final SagaDefinition<D> definition;
    private final SagaDriver<D> driver;

    DefaultSaga(SagaEngine engine, SagaDefinition<D> definition) {
        this.engine = engine;
        this.definition = definition;
        this.driver = new SagaDriver<>(engine, definition);
    }

    @Override
    public String name() {
        return definition.name();
    }

    private String key(String id) {
        return definition.name() + "." + id;
    }

    @Override
    public SagaInstance<D> start(String id, D data) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(data, "data");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Saga id '" + id + "' must match " + ID);
        }
        engine.checkOpen();
        Instant now = engine.now();
        SagaRecord rec = new SagaRecord();
        rec.name = definition.name();
        rec.id = id;
        rec.state = SagaState.RUNNING;
        rec.step = 0;
        rec.attempt = 1;
        rec.data = engine.mapper.valueToTree(data);
        rec.owner = engine.instanceId;
        rec.leaseUntil = now.plus(engine.settings.lease());
        rec.stepStartedAt = now;
        rec.sagaDeadline = definition.timeout().map(now::plus).orElse(null);
        rec.startedAt = now;
        rec.updatedAt = now;
        rec.correlationId = CallContext.current().map(CallContext::correlationId)
                .orElseGet(CallContext::newCorrelationId);
        Tracing.Span root = rootSpan(id);
        rec.traceParent = root.traceParent();
        rec.traceState = root.traceState();
        root.end();
        rec.event(now, "", "started", engine.instanceId);
        String key = rec.key();
        long revision = engine.store.create(key, rec.toJson(engine.mapper));
        if (revision < 0) {
            return find(id).orElseThrow(() -> new IllegalStateException("Saga " + key + " exists but cannot be read"));
        }
        engine.metrics.count("started", definition.name());
        engine.index.update(key, revision, rec.dueAt());
        SagaDriver.Owned owned = new SagaDriver.Owned(engine, rec, revision);
        if (engine.claim(key)) {
            try {
                driver.drive(owned);
            } finally {
                engine.release(key);
            }
        }
        return owned.lost ? find(id).orElseThrow() : instance(owned.rec);
    }

    private Tracing.Span rootSpan(String id) {
        CallContext call = CallContext.current().orElse(null);
        String parent = call == null ? null : call.traceParent().orElse(null);
        Tracing tracing = engine.settings.tracing();
        SpanKind kind = parent == null && !tracing.exporting() ? SpanKind.SERVER : SpanKind.INTERNAL;
        return tracing.start("saga " + definition.name(), kind, parent,
                             call == null ? null : call.traceState().orElse(null))
                .attribute("saga.name", definition.name()).attribute("saga.id", id);
    }

    @Override
    public Optional<SagaInstance<D>> find(String id) {
        Objects.requireNonNull(id, "id");
        return engine.store.get(key(id)).map(e -> instance(SagaRecord.fromJson(engine.mapper, e.value())));
    }

    @Override
    public List<SagaInstance<D>> list() {
        List<SagaInstance<D>> all = new ArrayList<>();
        for (String key : engine.store.keys(definition.name() + ".")) {
            engine.store.get(key).ifPresent(e -> all.add(instance(SagaRecord.fromJson(engine.mapper, e.value()))));
        }
        return all;
    }

    @Override
    public boolean reply(String id, String step, Object reply) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(reply, "reply");
        engine.checkOpen();
        Step<D> awaited = definition.steps().stream().filter(s -> s.name().equals(step) && s.waits()).findFirst()
                .orElse(null);
        if (awaited == null) {
            return false;
        }
        com.fasterxml.jackson.databind.JsonNode json = engine.mapper.valueToTree(reply);
        try {
            engine.mapper.treeToValue(json, awaited.replyType());
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Reply for step '" + step + "' is not a "
                    + awaited.replyType().getName() + ": " + e.getMessage(), e);
        }
        String key = key(id);
        while (true) {
            Optional<SagaStore.Entry> entry = engine.store.get(key);
            if (entry.isEmpty()) {
                return false;
            }
            SagaRecord rec = SagaRecord.fromJson(engine.mapper, entry.get().value());
            boolean atStep = rec.step >= 0 && rec.step < definition.steps().size()
                    && definition.steps().get(rec.step).name().equals(step);
            // A reply may come before the sender has stored WAITING (the command was quick, or its send is being
            // retried): it is taken then too. The sender's next compare-and-set fails and it stops driving.
            boolean sending = rec.state == SagaState.RUNNING && rec.reply == null && rec.failure == null;
            if (!atStep || !(rec.state == SagaState.WAITING || sending)) {
                return false;
            }
            Instant now = engine.now();
            rec.state = SagaState.RUNNING;
            rec.nextAttemptAt = null;
            rec.reply = json;
            rec.waitDeadline = null;
            rec.attempt = 1;
            rec.stepStartedAt = now;
            rec.owner = engine.instanceId;
            rec.leaseUntil = now.plus(engine.settings.lease());
            rec.updatedAt = now;
            rec.event(now, step, "replied", sending ? engine.instanceId + " (before the wait was stored)" : engine.instanceId);
            long revision = engine.store.update(key, rec.toJson(engine.mapper), entry.get().revision());
            if (revision >= 0) {
                engine.index.update(key, revision, rec.dueAt());
                SagaDriver.Owned owned = new SagaDriver.Owned(engine, rec, revision);
                engine.driveLater(key, () -> driver.drive(owned));
                return true;
            }
        }
    }

    /**
     * Takes over a due saga by compare-and-set and drives it: a retry, an expired lease (the step runs again, same
     * key), a wait deadline or the saga's deadline.
     */
    void takeOver(String key) {
        Optional<SagaStore.Entry> entry = engine.store.get(key);
        if (entry.isEmpty()) {
            return;
        }
        SagaRecord rec = SagaRecord.fromJson(engine.mapper, entry.get().value());
        Instant now = engine.now();
        Instant due = rec.dueAt();
        if (due == null) {
            engine.index.finished(key, entry.get().revision());
            return;
        }
        if (due.isAfter(now)) {
            engine.index.update(key, entry.get().revision(), due);
            return;
        }
        if (rec.owner != null) {
            rec.event(now, stepName(rec), "taken-over", "lease of " + rec.owner + " expired");
        }
        if (rec.state == SagaState.WAITING) {
            Step<D> step = definition.steps().get(rec.step);
            boolean waitOver = rec.waitDeadline != null && !now.isBefore(rec.waitDeadline);
            rec.state = SagaState.RUNNING; // the driver turns the deadline into a failure
            rec.failure = waitOver ? "no reply from " + step.name() + " within " + step.replyTimeout() : null;
            rec.waitDeadline = null;
            rec.attempt = 0;
        }
        rec.attempt++;
        rec.owner = engine.instanceId;
        rec.leaseUntil = now.plus(engine.settings.lease());
        rec.nextAttemptAt = null;
        rec.updatedAt = now;
        long revision = engine.store.update(key, rec.toJson(engine.mapper), entry.get().revision());
        if (revision < 0) {
            return; // another instance was quicker
        }
        engine.index.update(key, revision, rec.dueAt());
        driver.drive(new SagaDriver.Owned(engine, rec, revision));
    }

    private String stepName(SagaRecord rec) {
        return rec.step >= 0 && rec.step < definition.steps().size() ? definition.steps().get(rec.step).name() : "";
    }

    SagaInstance<D> instance(SagaRecord rec) {
        String step = rec.state.finished() ? null : stepName(rec);
        return new SagaInstance<>(rec.id, rec.name, rec.state, step, driver.decode(rec), rec.failure, rec.history,
                                  rec.startedAt, rec.updatedAt);
    }
}
