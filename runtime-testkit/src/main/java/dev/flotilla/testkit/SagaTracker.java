package dev.flotilla.testkit;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.messaging.internal.SagaSupport;
import dev.flotilla.messaging.saga.Sagas;

/**
 * Gives every service of a system the test's clock for its saga engines and keeps the engines each service has
 * open, for {@link TestSystem#awaitSaga} and {@link TestSystem#sagas}.
 */
final class SagaTracker implements ServiceExtensionProvider {
    private final Clock clock;
    private final Map<String, List<Sagas>> open = new ConcurrentHashMap<>();

    SagaTracker(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<ServiceExtension> create(ServiceContext context) {
        return Optional.of(new Support(context.name()));
    }

    /** The engines the service has open now, oldest first. */
    List<Sagas> engines(String service) {
        return List.copyOf(open.getOrDefault(service, List.of()));
    }

    private final class Support implements ServiceExtension, SagaSupport {
        private final String service;

        Support(String service) {
            this.service = service;
        }

        @Override
        public Optional<Clock> clock() {
            return Optional.ofNullable(clock);
        }

        @Override
        public void opened(AutoCloseable sagas) {
            open.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add((Sagas) sagas);
        }

        @Override
        public void closed(AutoCloseable sagas) {
            open.getOrDefault(service, List.of()).remove(sagas);
        }
    }
}
