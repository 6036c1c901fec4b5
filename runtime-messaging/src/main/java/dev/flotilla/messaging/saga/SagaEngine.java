package dev.flotilla.messaging.saga;

import java.time.Clock;
import java.time.Duration;

import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.Messaging;
import io.helidon.metrics.api.MeterRegistry;

/** The engine behind {@link Sagas}. */
final class SagaEngine {
    record Settings(Messaging messaging, Clock clock, Duration lease, Duration sweepInterval, Duration retention,
                    int replicas, Duration retryMinDelay, Duration retryMaxDelay, Tracing tracing,
                    MeterRegistry metrics) {
    }

    static SagaEngine start(Settings settings) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    <D> Saga<D> register(SagaDefinition<D> definition) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    String instanceId() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    void close() {
    }
}
