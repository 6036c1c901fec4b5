package dev.flotilla.messaging.saga;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.json.JsonMapping;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The index of unfinished sagas: the engine's own writes and the bucket's watch, which repeats them later and in
 * revision order.
 */
class SagaIndexTest {
    private static final ObjectMapper MAPPER = JsonMapping.newMapper();
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    private static final String KEY = "place-order.o-1";

    private final SagaIndex index = new SagaIndex(MAPPER);

    @Test
    void aSagaThisEngineFinishedIsNotBroughtBackByTheWatchsOlderRevisions() {
        index.update(KEY, 1, NOW.plusSeconds(10));
        index.update(KEY, 2, NOW.plusSeconds(10));
        index.update(KEY, 3, null);   // completed

        // the watch, behind the engine, repeats the running revisions: each with a lease that has expired by now
        index.watched(entry(1, running(NOW.minusSeconds(1))));
        index.watched(entry(2, running(NOW.minusSeconds(1))));
        assertEquals(List.of(), index.due(NOW));

        index.watched(entry(3, finished()));
        // caught up: the next revision (another instance's) counts again
        index.watched(entry(4, running(NOW.minusSeconds(1))));
        assertEquals(List.of(KEY), index.due(NOW));
    }

    @Test
    void theWatchAloneKeepsTheIndexOfSagasOtherInstancesDrive() {
        index.watched(entry(1, running(NOW.minusSeconds(1))));
        assertEquals(List.of(KEY), index.due(NOW));
        index.watched(entry(2, running(NOW.plusSeconds(5))));
        assertEquals(List.of(), index.due(NOW));
        assertEquals(List.of(KEY), index.due(NOW.plusSeconds(5)));
        index.watched(entry(3, finished()));
        assertEquals(List.of(), index.due(NOW.plusSeconds(60)));
        // a later revision of the watch, then an older one of the engine: the older never wins
        index.watched(entry(5, running(NOW.plusSeconds(30))));
        index.update(KEY, 4, NOW.minusSeconds(1));
        assertEquals(List.of(), index.due(NOW));
    }

    @Test
    void aSagaReadFinishedLeavesNoMarkerBehind() {
        index.update(KEY, 1, NOW.minusSeconds(1));
        index.finished(KEY, 2);
        assertEquals(List.of(), index.due(NOW));
        index.watched(entry(3, running(NOW.minusSeconds(1))));
        assertEquals(List.of(KEY), index.due(NOW));
    }

    @Test
    void theWatchsRepeatOfAWriteOfThisEngineIsNotReadAgain() {
        index.update(KEY, 7, NOW.minusSeconds(1));
        // were it read, this value would not parse and the saga would drop out of the index
        index.watched(new SagaStore.Entry(KEY, "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8), 7));
        assertEquals(List.of(KEY), index.due(NOW));
    }

    private static SagaStore.Entry entry(long revision, SagaRecord rec) {
        return new SagaStore.Entry(KEY, rec.toJson(MAPPER), revision);
    }

    /** A running saga whose owner's lease ends at {@code leaseUntil}. */
    private static SagaRecord running(Instant leaseUntil) {
        SagaRecord rec = record(SagaState.RUNNING);
        rec.owner = "instance-a";
        rec.leaseUntil = leaseUntil;
        return rec;
    }

    private static SagaRecord finished() {
        return record(SagaState.COMPLETED);
    }

    private static SagaRecord record(SagaState state) {
        SagaRecord rec = new SagaRecord();
        rec.name = "place-order";
        rec.id = "o-1";
        rec.state = state;
        rec.data = MAPPER.createObjectNode();
        rec.startedAt = NOW;
        rec.updatedAt = NOW;
        return rec;
    }
}
