package dev.flotilla.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.messaging.internal.DeliveryInterceptor;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;

/**
 * Installs each service's {@link Faults}: as an HTTP filter, and as the {@link DeliveryInterceptor} its messaging
 * finds among the service's extensions (handler failures).
 */
final class FaultsExtension implements ServiceExtensionProvider {
    private final Map<String, Faults> faults;

    FaultsExtension(Map<String, Faults> faults) {
        this.faults = faults;
    }

    @Override
    public Optional<ServiceExtension> create(ServiceContext context) {
        Faults serviceFaults = faults.get(context.name());
        if (serviceFaults == null) {
            return Optional.empty();
        }
        return Optional.of(new ServiceFaults(serviceFaults));
    }

    private static final class ServiceFaults implements ServiceExtension, DeliveryInterceptor {
        private final Faults faults;

        ServiceFaults(Faults faults) {
            this.faults = faults;
        }

        @Override
        public void beforeHandler(String service, String subscribedSubject) {
            if (faults.takeHandlerFailure(subscribedSubject)) {
                throw new IllegalStateException("Fault injected by the testkit into " + service + "'s handler of "
                                                        + subscribedSubject);
            }
        }

        @Override
        public void routing(HttpRouting.Builder routing) {
            routing.addFilter((chain, req, res) -> {
                String path = req.prologue().uriPath().path();
                if (path.startsWith("/health") || path.startsWith("/metrics")) {
                    chain.proceed();
                    return;
                }
                Duration delay = faults.takeDelay();
                if (!delay.isZero()) {
                    try {
                        // The injected delay is the fault itself.
                        Thread.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int status = faults.takeFailure();
                if (status != 0) {
                    res.status(Status.create(status));
                    res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
                    res.send(("{\"type\":\"urn:flotilla:problem:injected-fault\",\"title\":\"Injected fault\","
                            + "\"status\":" + status + ",\"detail\":\"Injected by the testkit\"}")
                                     .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                chain.proceed();
            });
        }
    }
}
