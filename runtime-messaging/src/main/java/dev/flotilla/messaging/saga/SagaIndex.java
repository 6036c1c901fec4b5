package dev.flotilla.messaging.saga;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unfinished sagas of the bucket and when each is next due, kept up to date by the bucket's watch and by the
 * engine's own writes. Entries of the watch arrive in revision order (the in-memory store notifies under its lock),
 * but usually after the engine's own write of the same revision: an older revision never replaces a newer one. A saga
 * this engine finished leaves a marker of that revision until the watch has caught up with it, so the watch's older
 * revisions, still on their way, do not bring it back as unfinished (each would cost a takeover attempt once its
 * lease looked expired).
 */
final class SagaIndex {
    private static final Logger LOG = LoggerFactory.getLogger(SagaIndex.class);
    /** How long a finished saga's marker waits for the watch at most; then it is dropped. */
    private static final long MARKER_NANOS = Duration.ofMinutes(1).toNanos();

    /** When the saga is due next; {@code at == null}: finished at that revision (a marker, since {@code since}). */
    private record Due(long revision, Instant at, long since) {
    }

    private final ObjectMapper mapper;
    private final Map<String, Due> entries = new ConcurrentHashMap<>();

    SagaIndex(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * An entry of the bucket's watch. One this engine wrote (or has seen a newer revision of) is not read again: in a
     * busy bucket, reading every update of every saga would be most of the engine's work, and a watch that falls
     * behind buffers what it has not read.
     */
    void watched(SagaStore.Entry entry) {
        Due known = entries.get(entry.key());
        if (known != null && known.revision >= entry.revision()) {
            if (known.at == null && known.revision == entry.revision()) {
                entries.remove(entry.key(), known); // the watch caught up with a saga this engine finished
            }
            return;
        }
        Instant due = null;
        if (entry.value() != null) {
            try {
                due = SagaRecord.fromJson(mapper, entry.value()).dueAt();
            } catch (RuntimeException e) {
                LOG.warn("Saga state under key '{}' cannot be read; ignored: {}", entry.key(), e.getMessage());
            }
        }
        Instant at = due;
        long revision = entry.revision();
        entries.compute(entry.key(), (key, old) -> {
            if (old != null && old.revision > revision) {
                return old; // the engine wrote a newer revision already
            }
            return at == null ? null : new Due(revision, at, 0);
        });
    }

    /** What this engine stored (or read) at {@code revision}; {@code due} is {@code null} for a finished saga. */
    void update(String key, long revision, Instant due) {
        entries.compute(key, (k, old) -> {
            if (old != null && old.revision > revision) {
                return old;
            }
            return new Due(revision, due, due == null ? System.nanoTime() : 0);
        });
    }

    /** The keys due at {@code now}; drops the markers the watch never caught up with. */
    List<String> due(Instant now) {
        List<String> keys = new ArrayList<>();
        long nanos = System.nanoTime();
        entries.forEach((key, due) -> {
            if (due.at == null) {
                if (nanos - due.since > MARKER_NANOS) {
                    entries.remove(key, due);
                }
            } else if (!due.at.isAfter(now)) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** A saga read finished at {@code revision} (not written by this engine): no longer due, and no marker. */
    void finished(String key, long revision) {
        entries.computeIfPresent(key, (k, old) -> old.revision > revision ? old : null);
    }
}
