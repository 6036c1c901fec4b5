package dev.flotilla.core.server;

import java.time.Duration;

import dev.flotilla.core.Await;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InFlightRequestsTest {

    @Test
    void drainRefusesNewRequestsAndWaitsForTheLastOneInFlight() throws Exception {
        InFlightRequests requests = new InFlightRequests();
        assertTrue(requests.enter());
        assertTrue(requests.enter());
        requests.exit();

        CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return requests.drain(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("draining", Duration.ofSeconds(10), () -> {
            if (requests.enter()) {
                requests.exit();
                return false;
            }
            return true;
        });
        assertFalse(drained.isDone(), "one request is still in flight");

        requests.exit();

        assertEquals(0, drained.get(10, TimeUnit.SECONDS));
    }

    @Test
    void drainReturnsWhatIsLeftWhenTheTimeoutRunsOutAndResetAdmitsAgain() throws Exception {
        InFlightRequests requests = new InFlightRequests();
        assertTrue(requests.enter());

        assertEquals(1, requests.drain(Duration.ZERO));
        assertFalse(requests.enter());

        requests.exit();
        requests.reset();
        assertTrue(requests.enter());
        requests.exit();
        assertEquals(0, requests.drain(Duration.ZERO));
    }
}
