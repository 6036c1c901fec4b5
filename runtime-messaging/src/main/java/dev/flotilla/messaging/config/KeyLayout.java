package dev.flotilla.messaging.config;

import java.util.Map;
import java.util.TreeMap;

/** The bucket's key layout: {@code shared.<key>} overlaid with {@code <service>.<key>}. Stateless. */
final class KeyLayout {
    private KeyLayout() {
    }

    /** A service's view of bucket keys: configuration keys and values, its own keys winning. */
    static Map<String, String> view(Map<String, String> bucketValues, String service) {
        Map<String, String> view = new TreeMap<>();
        String shared = CentralConfig.SHARED + ".";
        String own = service + ".";
        bucketValues.forEach((key, value) -> {
            if (key.startsWith(shared)) {
                view.putIfAbsent(key.substring(shared.length()), value);
            }
        });
        bucketValues.forEach((key, value) -> {
            if (key.startsWith(own)) {
                view.put(key.substring(own.length()), value);
            }
        });
        return view;
    }
}
