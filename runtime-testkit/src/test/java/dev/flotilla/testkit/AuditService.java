package dev.flotilla.testkit;

import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.messaging.Messaging;
import io.helidon.webserver.http.HttpRules;

/** Counts {@code greetings.greeted.v1} events (competing consumers across its instances). */
final class AuditService extends Service {
    final AtomicLong audited = new AtomicLong();

    AuditService() {
        super("audit-service", "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        rules.register(HttpContracts.serve(AuditApi.class, audited::get));
    }

    @Override
    protected void start(ServiceContext context) {
        context.extension(Messaging.class).subscribe(GreeterService.GREETED, GreeterApi.Greeted.class, envelope -> {
            context.logger().info("Audited greeting of {}", envelope.payload().name());
            audited.incrementAndGet();
        });
    }
}
