package dev.flotilla.messaging.saga;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.saga.SagaDefinition.Step;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Drives one saga instance this engine owns: runs its steps (or compensations) one attempt at a time and stores
 * each outcome by compare-and-set, until it waits, finishes, needs a retry later, or ownership is lost.
 */
final class SagaDriver<D> {
    private static final Logger LOG = LoggerFactory.getLogger(SagaDriver.class);
    /** Compensation attempts after which each further failure is logged at WARN. */
    private static final int WARN_AFTER = 3;
    static final String MDC_SAGA = "saga";
    static final String MDC_SAGA_ID = "sagaId";

    /** A saga this engine owns: its record as last stored and that revision. */
    static final class Owned {
        final String key;
        final SagaEngine engine;
        SagaRecord rec;
        long revision;
        volatile boolean lost;

        Owned(SagaEngine engine, SagaRecord rec, long revision) {
            this.engine = engine;
            this.key = rec.key();
            this.rec = rec;
            this.revision = revision;
        }

        /** Stores the record; false (and ownership lost) when someone else changed it. */
        synchronized boolean store() {
            if (lost) {
                return false;
            }
            rec.updatedAt = engine.now();
            long next;
            try {
                next = engine.store.update(key, rec.toJson(engine.mapper), revision);
            } catch (RuntimeException e) {
                lost = true;
                throw e;
            }
            if (next < 0) {
                lost = true;
                LOG.debug("Saga {}: changed by another instance; this one stops driving it", key);
                return false;
            }
            revision = next;
            engine.index.update(key, next, rec.dueAt());
            return true;
        }

        /** Extends the lease while a step runs. */
        synchronized void renew() {
            if (lost || rec.owner == null) {
                return;
            }
            rec.leaseUntil = engine.now().plus(engine.settings.lease());
            try {
                store();
            } catch (RuntimeException e) {
                LOG.debug("Saga {}: lease not renewed: {}", key, e.toString());
            }
        }
    }

    private final SagaEngine engine;
    private final SagaDefinition<D> definition;
    private final List<Step<D>> steps;

    SagaDriver(SagaEngine engine, SagaDefinition<D> definition) {
        this.engine = engine;
        this.definition = definition;
        this.steps = definition.steps();
    }

    /** Drives until there is nothing to do now. */
    void drive(Owned o) {
        engine.owning(o);
        boolean going = true;
        while (going && !o.lost) {
            if (engine.closed()) {
                release(o);
                return;
            }
            going = switch (o.rec.state) {
                case RUNNING -> runStep(o);
                case COMPENSATING -> compensate(o);
                default -> false;
            };
        }
    }

    /** Hands a saga back on close, so another instance goes on at once rather than after the lease. */
    private void release(Owned o) {
        synchronized (o) {
            o.rec.owner = null;
            o.rec.leaseUntil = null;
            o.rec.nextAttemptAt = engine.now();
            o.rec.event(engine.now(), "", "released", engine.instanceId);
            storeQuietly(o);
        }
    }

    @SuppressWarnings("try") // the scope puts the step's call context on this thread
    private boolean runStep(Owned o) {
        SagaRecord rec = o.rec;
        Instant now = engine.now();
        Step<D> step = steps.get(rec.step);
        if (rec.failure != null) {
            return fail(o, rec.failure, step.waits()); // a wait deadline passed: set when the saga was taken over
        }
        if (rec.sagaDeadline != null && !now.isBefore(rec.sagaDeadline)) {
            return fail(o, "saga timed out", step.waits());
        }
        boolean replied = step.waits() && rec.reply != null;
        D data = decode(rec);
        StepContext<D> ctx = new StepCtx<>(definition.name(), rec.id, step.name(), data, Math.max(1, rec.attempt),
                                           StepCtx.key(definition.name(), rec.id, step.name(), false),
                                           Optional.empty());
        Object result;
        Throwable error = null;
        long started = System.nanoTime();
        Tracing.Span span = span(rec, step.name());
        try (CallContext.Scope scope = callContext(rec, span).open()) {
            MDC.put(MDC_SAGA, definition.name());
            MDC.put(MDC_SAGA_ID, rec.id);
            if (replied) {
                Object reply = engine.mapper.treeToValue(rec.reply, step.replyType());
                result = step.replyHandler().handle(ctx, reply);
            } else if (step.waits()) {
                step.send().send(ctx);
                result = null;
            } else {
                result = step.action().run(ctx);
            }
            if ((replied || !step.waits()) && result == null) {
                throw new IllegalStateException("step '" + step.name() + "' returned null data");
            }
        } catch (Exception e) {
            error = e;
            result = null;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            MDC.remove(MDC_SAGA);
            MDC.remove(MDC_SAGA_ID);
            if (error != null) {
                span.failed(error);
            }
            span.end();
        }
        String outcome = error == null ? "success" : error instanceof SagaFailure ? "failure" : "retry";
        engine.metrics.step(definition.name(), step.name(), outcome, System.nanoTime() - started);
        if (o.lost || Thread.currentThread().isInterrupted()) {
            return false;
        }
        synchronized (o) {
            now = engine.now();
            if (error instanceof SagaFailure failure) {
                return fail(o, failure.reason(), step.waits());
            }
            if (error != null) {
                return retryOrFail(o, step, error, now);
            }
            if (step.waits() && !replied) {
                rec.state = SagaState.WAITING;
                rec.waitDeadline = now.plus(step.replyTimeout());
                rec.owner = null;
                rec.leaseUntil = null;
                rec.lastError = null;
                rec.event(now, step.name(), "sent", "waiting until " + rec.waitDeadline);
                store(o);
                return false;
            }
            rec.data = engine.mapper.valueToTree(result);
            rec.reply = null;
            rec.lastError = null;
            rec.event(now, step.name(), "completed", "attempt " + ctx.attempt());
            rec.step++;
            if (rec.step == steps.size()) {
                finish(o, SagaState.COMPLETED, now);
                return false;
            }
            rec.attempt = 1;
            rec.stepStartedAt = now;
            rec.leaseUntil = now.plus(engine.settings.lease());
            return store(o);
        }
    }

    private boolean retryOrFail(Owned o, Step<D> step, Throwable error, Instant now) {
        SagaRecord rec = o.rec;
        rec.lastError = error.toString();
        Instant started = rec.stepStartedAt != null ? rec.stepStartedAt : now;
        if (!now.isBefore(started.plus(step.timeout()))) {
            return fail(o, step.name() + " timed out: " + rec.lastError, step.waits());
        }
        LOG.debug("Saga {}: step {} attempt {} failed, retrying: {}", o.key, step.name(), rec.attempt, error.toString());
        rec.event(now, step.name(), "retry", rec.lastError);
        scheduleRetry(o, now);
        return false;
    }

    private void scheduleRetry(Owned o, Instant now) {
        SagaRecord rec = o.rec;
        long min = engine.settings.retryMinDelay().toMillis();
        long max = engine.settings.retryMaxDelay().toMillis();
        long delay = Math.min(max, min << Math.min(20, Math.max(0, rec.attempt - 1)));
        rec.nextAttemptAt = now.plus(Duration.ofMillis(delay));
        rec.owner = null;
        rec.leaseUntil = null;
        store(o);
    }

    /** The step failed for good: compensate from it (if it sent a command) or from the step before. */
    private boolean fail(Owned o, String reason, boolean includeCurrent) {
        SagaRecord rec = o.rec;
        Instant now = engine.now();
        rec.failure = reason;
        rec.reply = null;
        rec.waitDeadline = null;
        rec.nextAttemptAt = null;
        String stepName = rec.step < steps.size() ? steps.get(rec.step).name() : "";
        rec.event(now, stepName, "failed", reason);
        int from = compensable(includeCurrent ? rec.step : rec.step - 1);
        if (from < 0) {
            finish(o, SagaState.FAILED, now);
            return false;
        }
        rec.state = SagaState.COMPENSATING;
        rec.step = from;
        rec.attempt = 1;
        rec.lastError = null;
        rec.leaseUntil = now.plus(engine.settings.lease());
        return store(o);
    }

    @SuppressWarnings("try")
    private boolean compensate(Owned o) {
        SagaRecord rec = o.rec;
        Step<D> step = steps.get(rec.step);
        StepContext<D> ctx = new StepCtx<>(definition.name(), rec.id, step.name(), decode(rec),
                                           Math.max(1, rec.attempt),
                                           StepCtx.key(definition.name(), rec.id, step.name(), true),
                                           Optional.ofNullable(rec.failure));
        Exception error = null;
        long started = System.nanoTime();
        Tracing.Span span = span(rec, step.name() + " compensate");
        try (CallContext.Scope scope = callContext(rec, span).open()) {
            MDC.put(MDC_SAGA, definition.name());
            MDC.put(MDC_SAGA_ID, rec.id);
            step.compensation().compensate(ctx);
        } catch (Exception e) {
            error = e;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            span.failed(e);
        } finally {
            MDC.remove(MDC_SAGA);
            MDC.remove(MDC_SAGA_ID);
            span.end();
        }
        engine.metrics.step(definition.name(), step.name(), error == null ? "compensated" : "retry",
                            System.nanoTime() - started);
        if (o.lost || Thread.currentThread().isInterrupted()) {
            return false;
        }
        synchronized (o) {
            Instant now = engine.now();
            if (error != null) {
                rec.lastError = error.toString();
                if (rec.attempt >= WARN_AFTER) {
                    LOG.warn("Saga {}: compensation of step {} failed {} times; retrying: {}", o.key, step.name(),
                             rec.attempt, error.toString());
                }
                rec.event(now, step.name(), "compensation-retry", rec.lastError);
                scheduleRetry(o, now);
                return false;
            }
            rec.event(now, step.name(), "compensated", "attempt " + ctx.attempt());
            int next = compensable(rec.step - 1);
            if (next < 0) {
                finish(o, SagaState.FAILED, now);
                return false;
            }
            rec.step = next;
            rec.attempt = 1;
            rec.lastError = null;
            rec.leaseUntil = now.plus(engine.settings.lease());
            return store(o);
        }
    }

    private void finish(Owned o, SagaState state, Instant now) {
        SagaRecord rec = o.rec;
        rec.state = state;
        rec.owner = null;
        rec.leaseUntil = null;
        rec.nextAttemptAt = null;
        rec.waitDeadline = null;
        rec.event(now, "", "finished", state == SagaState.COMPLETED ? "completed" : "failed: " + rec.failure);
        if (store(o)) {
            engine.metrics.count(state == SagaState.COMPLETED ? "completed" : "failed", definition.name());
        }
    }

    /** The highest step at or below {@code from} that has a compensation; -1 if none. */
    private int compensable(int from) {
        for (int i = Math.min(from, steps.size() - 1); i >= 0; i--) {
            if (steps.get(i).compensation() != null) {
                return i;
            }
        }
        return -1;
    }

    private boolean store(Owned o) {
        try {
            return o.store();
        } catch (RuntimeException e) {
            LOG.warn("Saga {}: state not stored ({}); another instance goes on after the lease", o.key, e.toString());
            return false;
        }
    }

    private void storeQuietly(Owned o) {
        try {
            o.store();
        } catch (RuntimeException e) {
            LOG.debug("Saga {}: not released: {}", o.key, e.toString());
        }
    }

    D decode(SagaRecord rec) {
        try {
            return engine.mapper.treeToValue(rec.data, definition.dataType());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Saga " + rec.key() + ": data cannot be read as "
                    + definition.dataType().getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private Tracing.Span span(SagaRecord rec, String step) {
        return engine.settings.tracing().start("saga " + definition.name() + " " + step, SpanKind.INTERNAL,
                                               rec.traceParent, rec.traceState)
                .attribute("saga.name", definition.name()).attribute("saga.id", rec.id)
                .attribute(Tracing.ATTEMPT_ATTRIBUTE, Math.max(1, rec.attempt));
    }

    private CallContext callContext(SagaRecord rec, Tracing.Span span) {
        return CallContext.of(engine.service, rec.correlationId).withTrace(span.traceParent(), span.traceState());
    }
}
