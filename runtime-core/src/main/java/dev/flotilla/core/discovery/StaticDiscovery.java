package dev.flotilla.core.discovery;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.helidon.config.Config;

/**
 * Discovery from a fixed list per service, usually from configuration:
 * <pre>
 * clients:
 *   user-service:
 *     uris: [ "http://10.0.0.5:8081", "http://10.0.0.6:8081" ]
 * </pre>
 * Immutable and thread-safe.
 */
public final class StaticDiscovery implements ServiceDiscovery {
    private final Map<String, List<URI>> instances;

    private StaticDiscovery(Map<String, List<URI>> instances) {
        this.instances = Map.copyOf(instances);
    }

    /**
     * Reads {@code <service>.uris} for every service under the {@code clients} node.
     *
     * @param clients the {@code clients} config node; a missing node gives an empty discovery
     * @return the discovery
     * @throws NullPointerException     if {@code clients} is {@code null}
     * @throws IllegalArgumentException if a URI is not an absolute {@code http} or {@code https} URI (the message
     *                                  names the key)
     */
    public static StaticDiscovery create(Config clients) {
        Objects.requireNonNull(clients, "clients");
        Map<String, List<URI>> found = new LinkedHashMap<>();
        if (clients.exists()) {
            for (Config client : clients.asNodeList().orElse(List.of())) {
                Config uris = client.get("uris");
                if (!uris.exists()) {
                    continue;
                }
                List<String> values = uris.asList(String.class).orElseThrow(() -> new IllegalArgumentException(
                        "Invalid value for " + uris.key() + ": expected a list of URIs"));
                found.put(client.name(), values.stream().map(v -> parse(uris.key().toString(), v)).toList());
            }
        }
        return new StaticDiscovery(found);
    }

    /**
     * Discovery from a map of service names to instance URIs.
     *
     * @param instances the instances of each service
     * @return the discovery
     * @throws NullPointerException     if {@code instances} or an entry is {@code null}
     * @throws IllegalArgumentException if a URI is not an absolute {@code http} or {@code https} URI
     */
    public static StaticDiscovery of(Map<String, List<URI>> instances) {
        Objects.requireNonNull(instances, "instances");
        instances.forEach((name, uris) -> uris.forEach(uri -> parse(name, uri.toString())));
        return new StaticDiscovery(instances);
    }

    private static URI parse(String key, String value) {
        URI uri;
        try {
            uri = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value for " + key + ": '" + value + "' is not a URI", e);
        }
        if (!uri.isAbsolute() || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("Invalid value for " + key + ": '" + value
                    + "' is not an absolute http or https URI such as http://10.0.0.5:8081");
        }
        return uri;
    }

    @Override
    public List<URI> instances(String serviceName) {
        return instances.getOrDefault(serviceName, List.of());
    }
}
