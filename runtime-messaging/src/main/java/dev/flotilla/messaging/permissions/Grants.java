package dev.flotilla.messaging.permissions;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The subjects one service may publish and subscribe to, worked out from its usage: exactly what it does, the
 * JetStream API calls that doing it takes (scoped to its own streams, durable consumers and buckets), its inbox and its
 * {@code $SRV} registration. Responses to requests it receives (including {@code $SRV} discovery requests) are allowed
 * with {@code allow_responses}, so they need no grant on the requesters' inboxes.
 *
 * @param publish   the publish allow list, sorted
 * @param subscribe the subscribe allow list, sorted; {@code "subject queue"} allows only that queue group
 */
record Grants(List<String> publish, List<String> subscribe) {

    /** The JetStream API subject every service may need: which stream captures a subject (durable publishes too). */
    static final String STREAM_NAMES = "$JS.API.STREAM.NAMES";

    static Grants of(ServiceUsage usage, Set<String> extraPublish, Set<String> extraSubscribe) {
        Set<String> pub = new TreeSet<>();
        Set<String> sub = new TreeSet<>();
        pub.addAll(usage.publish);
        pub.addAll(usage.request);
        usage.discover.forEach(name -> pub.add("$SRV.INFO." + name));
        pub.add(STREAM_NAMES);
        for (String stream : usage.stream) {
            pub.add("$JS.API.STREAM.CREATE." + stream);
            pub.add("$JS.API.STREAM.UPDATE." + stream);
            pub.add("$JS.API.STREAM.INFO." + stream);
        }
        for (String consumer : usage.consumer) {
            int space = consumer.indexOf(' ');
            String stream = consumer.substring(0, space);
            String durable = consumer.substring(space + 1);
            pub.add("$JS.API.STREAM.INFO." + stream);
            pub.add("$JS.API.CONSUMER.CREATE." + stream + "." + durable);
            pub.add("$JS.API.CONSUMER.CREATE." + stream + "." + durable + ".>");
            pub.add("$JS.API.CONSUMER.DURABLE.CREATE." + stream + "." + durable);
            pub.add("$JS.API.CONSUMER.INFO." + stream + "." + durable);
            pub.add("$JS.API.CONSUMER.MSG.NEXT." + stream + "." + durable);
            pub.add("$JS.ACK." + stream + "." + durable + ".>");
        }
        usage.kv.forEach(bucket -> watch(pub, bucket));
        for (String bucket : usage.kvWrite) {
            String stream = "KV_" + bucket;
            watch(pub, bucket);
            // creating (or re-declaring at each start) the bucket's stream, reading one key, writing keys
            pub.add("$JS.API.STREAM.CREATE." + stream);
            pub.add("$JS.API.STREAM.UPDATE." + stream);
            pub.add("$JS.API.STREAM.MSG.GET." + stream);
            pub.add("$JS.API.DIRECT.GET." + stream);
            pub.add("$JS.API.DIRECT.GET." + stream + ".>");
            pub.add("$KV." + bucket + ".>");
        }
        pub.addAll(extraPublish);
        sub.add(inbox(usage) + ".>");
        sub.addAll(usage.subscribe);
        sub.addAll(usage.respond);
        // its own $SRV registration: the general discovery subjects and those of its name (and instance ids)
        sub.add("$SRV.PING");
        sub.add("$SRV.INFO");
        sub.add("$SRV.STATS");
        sub.add("$SRV.*." + usage.natsName);
        sub.add("$SRV.*." + usage.natsName + ".*");
        // where it answers what it does on NATS, for regenerating its permissions
        sub.add(ServiceUsage.USAGE_PREFIX + usage.natsName);
        sub.addAll(extraSubscribe);
        return new Grants(List.copyOf(pub), List.copyOf(sub));
    }

    /** What watching a bucket (or listing its keys) takes: its watch is an ordered consumer with a generated name. */
    private static void watch(Set<String> pub, String bucket) {
        String stream = "KV_" + bucket;
        // recreated after a reconnect, so it needs CREATE again, and DELETE for the one it replaces
        pub.add("$JS.API.STREAM.INFO." + stream);
        pub.add("$JS.API.CONSUMER.CREATE." + stream);
        pub.add("$JS.API.CONSUMER.CREATE." + stream + ".>");
        pub.add("$JS.API.CONSUMER.DELETE." + stream + ".>");
        pub.add("$JS.API.CONSUMER.INFO." + stream + ".>");
        pub.add("$JS.FC." + stream + ".>");
    }

    /** The service's inbox prefix: what it published, else the one it is told to use. */
    static String inbox(ServiceUsage usage) {
        return usage.inbox != null && !usage.inbox.equals("_INBOX") ? usage.inbox : defaultInbox(usage.natsName);
    }

    static String defaultInbox(String natsName) {
        return "_INBOX_" + natsName;
    }
}
