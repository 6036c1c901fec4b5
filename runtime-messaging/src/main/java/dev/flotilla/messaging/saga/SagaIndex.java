package dev.flotilla.messaging.saga;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unfinished sagas of the bucket and when each is next due, kept up to date by the bucket's watch (and by the
 * engine's own writes, which the watch repeats). Entries arrive in revision order
 * (the watch's order; the in-memory store notifies under its lock); the engine's own writes may arrive before the
 * watch repeats them, and an older revision never replaces a newer one's due time.
 */
final class SagaIndex {
    private static final Logger LOG = LoggerFactory.getLogger(SagaIndex.class);

    private record Due(long revision, Instant at) {
    }

    private final ObjectMapper mapper;
    private final Map<String, Due> unfinished = new ConcurrentHashMap<>();

    SagaIndex(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void update(SagaStore.Entry entry) {
        Instant due = null;
        if (entry.value() != null) {
            try {
                due = SagaRecord.fromJson(mapper, entry.value()).dueAt();
            } catch (RuntimeException e) {
                LOG.warn("Saga state under key '{}' cannot be read; ignored: {}", entry.key(), e.getMessage());
            }
        }
        update(entry.key(), entry.revision(), due);
    }

    void update(String key, long revision, Instant due) {
        if (due == null) {
            unfinished.remove(key);
            return;
        }
        unfinished.merge(key, new Due(revision, due), (old, now) -> now.revision >= old.revision ? now : old);
    }

    /** The keys due at {@code now}. */
    List<String> due(Instant now) {
        List<String> keys = new ArrayList<>();
        unfinished.forEach((key, due) -> {
            if (!due.at.isAfter(now)) {
                keys.add(key);
            }
        });
        return keys;
    }

    int size() {
        return unfinished.size();
    }
}
