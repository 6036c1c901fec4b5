package dev.flotilla.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import dev.flotilla.core.observability.CallContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The virtual threads that run one subscription's handlers: {@code concurrency} workers take messages from a bounded
 * queue, so a transport that hands over faster than handlers finish is pushed back (and NATS counts a slow
 * consumer) instead of growing memory. With one worker, messages are handled in arrival order.
 *
 * <p>Every thread that runs the handlers belongs to the subscription, and so to one service: its MDC carries the
 * service's name ({@link dev.flotilla.core.observability.CallContext#MDC_SERVICE}) for as long as it runs, so the context a
 * handler runs in does not set and remove it for every message, and whatever the thread logs between messages names
 * its service.
 */
final class HandlerWorkers {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerWorkers.class);
    /** Tells a worker to stop; compared by identity. */
    private static final RawMessage STOP = RawMessage.core("", java.util.Map.of(), new byte[0]);

    /** The MDC key of the service's name. */
    private static final String MDC_SERVICE = CallContext.MDC_SERVICE;

    private final String service;
    private final Consumer<RawMessage> action;
    private final BlockingQueue<RawMessage> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final boolean inline;
    /**
     * Inline mode: 1 while the delivering thread runs a message. Only that one thread writes it, so an ordered
     * (release) store is enough; {@link #finish} polls it after intake has stopped.
     */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopped;
    /** Inline mode: the delivering thread once it carries the service in its MDC (written by that thread only). */
    private Thread labelled;

    /**
     * Workers that run {@code action} for each submitted message. With concurrency 1 on a transport that already
     * delivers on a virtual thread of its own per subscription, messages run inline on that thread: same ordering
     * and back-pressure, no hand-off.
     */
    HandlerWorkers(String name, String service, int concurrency, int capacity, boolean deliveredOnOwnVirtualThread,
                   Consumer<RawMessage> action) {
        this.service = service;
        this.action = action;
        this.inline = concurrency == 1 && deliveredOnOwnVirtualThread;
        this.queue = new ArrayBlockingQueue<>(inline ? 1 : Math.max(capacity, concurrency));
        if (inline) {
            return;
        }
        Thread.Builder builder = Thread.ofVirtual().name("flotilla-" + name + "-", 0);
        for (int i = 0; i < concurrency; i++) {
            threads.add(builder.start(this::work));
        }
    }

    /** Runs or queues a message, blocking while the queue is full. Returns false when the workers are stopped. */
    boolean submit(RawMessage message) {
        if (stopped) {
            return false;
        }
        if (inline) {
            inFlight.lazySet(1);
            Thread current = Thread.currentThread();
            if (current != labelled) { // the transport's thread for this subscription: labelled once
                MDC.put(MDC_SERVICE, service);
                labelled = current;
            }
            try {
                action.accept(message);
            } catch (RuntimeException e) {
                LOG.error("Unexpected failure in a message task", e);
            } finally {
                inFlight.lazySet(0);
            }
            return true;
        }
        try {
            queue.put(message);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lets queued messages finish, then stops the workers; waits at most {@code timeout}. */
    boolean finish(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        stopped = true;
        if (inline) {
            while (inFlight.get() > 0) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            return true;
        }
        try {
            for (int i = 0; i < threads.size(); i++) {
                long left = deadline - System.nanoTime();
                if (!queue.offer(STOP, Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                    return false;
                }
            }
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Drops queued messages and stops the workers after the messages they are running. */
    void stopNow() {
        stopped = true;
        queue.clear();
        for (int i = 0; i < threads.size(); i++) {
            queue.offer(STOP);
        }
    }

    private void work() {
        MDC.put(MDC_SERVICE, service);
        while (true) {
            RawMessage message;
            try {
                message = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (message == STOP) {
                return;
            }
            try {
                action.accept(message);
            } catch (RuntimeException e) {
                LOG.error("Unexpected failure in a message task", e);
            }
        }
    }
}
