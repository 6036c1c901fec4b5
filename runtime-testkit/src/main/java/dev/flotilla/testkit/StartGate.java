package dev.flotilla.testkit;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;

/**
 * An extension whose start waits until something the test system starts in the background is ready: placed before
 * messaging, it holds a service's NATS connection until the nats-server accepts connections; placed after it, it holds
 * the start-up hooks until the capture connection is subscribed. Extensions start in the order they were added, after
 * the service's web server, so the wait overlaps with the configuration and web server of every service.
 */
final class StartGate implements ServiceExtensionProvider {
    private final CompletableFuture<?> ready;

    StartGate(CompletableFuture<?> ready) {
        this.ready = ready;
    }

    @Override
    public Optional<ServiceExtension> create(ServiceContext context) {
        return Optional.of(new ServiceExtension() {
            @Override
            public void start() throws Exception {
                try {
                    ready.join();
                } catch (CompletionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        });
    }
}
