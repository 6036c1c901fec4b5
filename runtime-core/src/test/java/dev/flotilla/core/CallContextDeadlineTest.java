package dev.flotilla.core;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.flotilla.core.observability.CallContext;
import dev.flotilla.resilience.Deadline;

/** A received {@code X-Request-Deadline-Ms} is a budget counted from its receipt; anything malformed is ignored. */
class CallContextDeadlineTest {

    @Test
    void aReceivedBudgetIsCountedFromNow() {
        Duration remaining = CallContext.receivedDeadline("1500").orElseThrow().remaining();
        assertTrue(remaining.compareTo(Duration.ZERO) > 0 && remaining.compareTo(Duration.ofMillis(1500)) <= 0,
                   remaining.toString());
    }

    @Test
    void zeroHasAlreadyRunOut() {
        assertTrue(CallContext.receivedDeadline("0").orElseThrow().isExpired());
    }

    @Test
    void malformedValuesAreIgnored() {
        for (String bad : new String[] {null, "", "-1", "+5", "1.5", "12ms", " 10", "1234567890123"}) {
            Optional<Deadline> deadline = CallContext.receivedDeadline(bad);
            assertFalse(deadline.isPresent(), "ignored: " + bad);
        }
        assertEquals(Optional.empty(), CallContext.receivedDeadline("９"));
    }
}
