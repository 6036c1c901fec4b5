package dev.flotilla.messaging;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceExtension;
import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.core.observability.CallContext;
import io.helidon.config.Config;

/**
 * Gives every service whose configuration has a {@code messaging} section its own {@link Messaging}, reachable
 * with {@code context.extension(Messaging.class)}. Found through {@link java.util.ServiceLoader}.
 *
 * <p>Services using the in-JVM transport talk through this provider's {@link InJvmBroker}: services sharing one
 * provider instance (one runtime) share one broker. To connect services of several runtimes in one JVM, create a
 * broker and pass it to {@link #MessagingExtensionProvider(InJvmBroker)}. Thread-safe.
 */
public final class MessagingExtensionProvider implements ServiceExtensionProvider {

    /** The config key of the messaging section of a service. */
    public static final String CONFIG_KEY = "messaging";

    private final InJvmBroker broker;

    /**
     * Creates a provider with its own in-JVM broker (used by {@link java.util.ServiceLoader}).
     */
    public MessagingExtensionProvider() {
        this(new InJvmBroker());
    }

    /**
     * Creates a provider whose in-JVM services talk through the given broker.
     *
     * @param broker the broker
     * @throws NullPointerException if {@code broker} is {@code null}
     */
    public MessagingExtensionProvider(InJvmBroker broker) {
        this.broker = Objects.requireNonNull(broker, "broker");
    }

    /**
     * Creates the messaging extension when the service's config has a {@code messaging} section.
     *
     * @param context the service's context
     * @return the extension, or empty without a {@code messaging} section
     * @throws IllegalArgumentException if the {@code messaging} section is invalid
     */
    @Override
    public Optional<ServiceExtension> create(ServiceContext context) {
        Config config = context.config().get(CONFIG_KEY);
        if (!config.exists()) {
            return Optional.empty();
        }
        Messaging.Builder builder = Messaging.builder()
                .serviceName(context.name())
                .serviceVersion(context.version())
                .inJvm(broker)
                .tracing(context.tracing())
                .metrics(context.metrics())
                .identity(context.config())
                // Messages sent while handling a user's request say on whose behalf (signed with the service's key).
                .onBehalfOf(() -> CallContext.current().flatMap(call -> call.caller().user()))
                .config(config);
        return Optional.of(new MessagingExtension(context, builder));
    }

    /** The {@code messaging} section: connections and subscriptions are made once, at start. */
    @Override
    public Set<String> sectionsReadAtStart() {
        return Set.of("messaging");
    }
}
