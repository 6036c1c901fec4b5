package dev.flotilla.core;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training run for the JDK's ahead-of-time cache: once every service is ready, each is asked for its own built-in
 * endpoints, then the runtime stops and the JVM exits with status 0, which is when {@code -XX:AOTCacheOutput} (or
 * {@code -XX:ArchiveClassesAtExit} on JDK 21) writes what the run loaded and linked. On when a service's
 * configuration has {@value #KEY} {@code = true}, for example {@code --flotilla.training-run=true}.
 */
final class TrainingRun {
    /** The configuration key that turns a run into a training run. */
    static final String KEY = "flotilla.training-run";
    /** The endpoints every service serves, asked for once each: the request path, JSON and the observers. */
    static final List<String> PATHS = List.of("/health/ready", "/health/live", "/openapi", "/metrics");
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private TrainingRun() {
    }

    /**
     * Whether any service of the (started) runtime asks for a training run.
     *
     * @param runtime the runtime, started
     * @return {@code true} when a service's configuration has {@value #KEY} set to {@code true}
     * @throws IllegalArgumentException if a service's value is neither {@code true} nor {@code false} (the message
     *                                  names the service, the key and the value)
     */
    static boolean requested(ServiceRuntime runtime) {
        boolean requested = false;
        for (ServiceHandle service : runtime.services()) {
            if (service.state() != ServiceState.READY) {
                continue;
            }
            String value = service.context().config().get(KEY).asString().orElse("false").trim();
            if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("Service '" + service.name() + "': " + KEY + " must be true or "
                        + "false, was '" + value + "'");
            }
            requested |= value.equalsIgnoreCase("true");
        }
        return requested;
    }

    /**
     * Asks every ready service for {@link #PATHS} over HTTP. A failed request is logged and the run goes on: the
     * cache is still worth what was loaded up to then.
     *
     * @param runtime the runtime, started
     */
    static void exercise(ServiceRuntime runtime) {
        WebClient client = WebClient.builder().readTimeout(Duration.ofSeconds(10)).build();
        List<String> answers = new ArrayList<>();
        try {
            for (ServiceHandle service : runtime.services()) {
                if (service.state() != ServiceState.READY) {
                    continue;
                }
                URI base = local(service);
                for (String path : PATHS) {
                    try (HttpClientResponse response = client.get(base.resolve(path).toString()).request()) {
                        response.entity().consume();
                        answers.add(service.name() + " " + path + " " + response.status().code());
                    } catch (RuntimeException e) {
                        answers.add(service.name() + " " + path + " failed");
                        LOG.warn("Training run: {} {} failed: {}", service.name(), path, e.toString());
                    }
                }
            }
        } finally {
            client.closeResource();
        }
        LOG.info("Training run done: {}; stopping", String.join(", ", answers));
    }

    /** The service's own address as seen from inside its host: loopback when it listens on every interface. */
    private static URI local(ServiceHandle service) {
        String host = service.context().config().get("server.host").asString().orElse("0.0.0.0");
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isBlank()) {
            host = "127.0.0.1";
        }
        return URI.create("http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":"
                                  + service.port());
    }
}
