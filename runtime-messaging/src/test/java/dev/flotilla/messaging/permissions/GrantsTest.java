package dev.flotilla.messaging.permissions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The grants a key-value bucket gets: one the service only reads (central configuration) may be watched and nothing
 * more; one it writes (its saga engine's) may also be created, read key by key and written, and only that bucket.
 */
class GrantsTest {

    private static List<String> bucketGrants(String usageJson, String bucket) {
        ServiceUsage usage = new ServiceUsage("order-service", "order-service");
        usage.mergeUsage(usageJson);
        return Grants.of(usage, Set.of(), Set.of()).publish().stream()
                .filter(s -> s.contains(bucket))
                .toList();
    }

    @Test
    void aBucketReadOnlyMayOnlyBeWatched() {
        assertEquals(List.of("$JS.API.CONSUMER.CREATE.KV_central", "$JS.API.CONSUMER.CREATE.KV_central.>",
                             "$JS.API.CONSUMER.DELETE.KV_central.>", "$JS.API.CONSUMER.INFO.KV_central.>",
                             "$JS.API.STREAM.INFO.KV_central", "$JS.FC.KV_central.>"),
                     bucketGrants("{\"service\":\"order-service\",\"kv\":[\"central\"]}", "central"));
    }

    @Test
    void aBucketWrittenMayAlsoBeCreatedReadAndWrittenExactlyThatOne() {
        String json = "{\"service\":\"order-service\",\"kv\":[\"central\"],\"kv-write\":[\"sagas-order-service\"]}";
        assertEquals(List.of("$JS.API.CONSUMER.CREATE.KV_sagas-order-service",
                             "$JS.API.CONSUMER.CREATE.KV_sagas-order-service.>",
                             "$JS.API.CONSUMER.DELETE.KV_sagas-order-service.>",
                             "$JS.API.CONSUMER.INFO.KV_sagas-order-service.>",
                             "$JS.API.DIRECT.GET.KV_sagas-order-service",
                             "$JS.API.DIRECT.GET.KV_sagas-order-service.>",
                             "$JS.API.STREAM.CREATE.KV_sagas-order-service",
                             "$JS.API.STREAM.INFO.KV_sagas-order-service",
                             "$JS.API.STREAM.MSG.GET.KV_sagas-order-service",
                             "$JS.API.STREAM.UPDATE.KV_sagas-order-service",
                             "$JS.FC.KV_sagas-order-service.>",
                             "$KV.sagas-order-service.>"),
                     bucketGrants(json, "sagas-"));
        // the read-only bucket next to it gains nothing from it
        assertEquals(6, bucketGrants(json, "central").size());
        // and nothing wider: no other bucket's keys, no JetStream API call beyond its own stream
        ServiceUsage usage = new ServiceUsage("order-service", "order-service");
        usage.mergeUsage(json);
        assertEquals(List.of("$JS.API.STREAM.NAMES"), Grants.of(usage, Set.of(), Set.of()).publish().stream()
                .filter(s -> s.startsWith("$") && !s.contains("KV_") && !s.startsWith("$KV.sagas-order-service."))
                .toList());
    }
}
