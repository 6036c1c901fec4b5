package dev.flotilla.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual threads that run one subscription's handlers: {@code concurrency} workers take tasks from a bounded
 * queue, so a transport that hands over faster than handlers finish is pushed back (and NATS counts a slow
 * consumer) instead of growing memory. With one worker, messages are handled in arrival order.
 */
final class HandlerWorkers {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerWorkers.class);
    private static final Runnable STOP = () -> {
    };

    private final BlockingQueue<Runnable> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final boolean inline;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopped;

    /**
     * Workers for a subscription. With concurrency 1 on a transport that already delivers on a virtual thread
     * of its own per subscription, tasks run inline on that thread: same ordering and back-pressure, no hand-off.
     */
    HandlerWorkers(String name, int concurrency, int capacity, boolean deliveredOnOwnVirtualThread) {
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

    /** Queues a task, blocking while the queue is full. Returns false when the workers are stopped. */
    boolean submit(Runnable task) {
        if (stopped) {
            return false;
        }
        if (inline) {
            inFlight.incrementAndGet();
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Unexpected failure in a message task", e);
            } finally {
                inFlight.decrementAndGet();
            }
            return true;
        }
        try {
            queue.put(task);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lets queued tasks finish, then stops the workers; waits at most {@code timeout}. */
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

    /** Drops queued tasks and stops the workers after the tasks they are running. */
    void stopNow() {
        stopped = true;
        queue.clear();
        for (int i = 0; i < threads.size(); i++) {
            queue.offer(STOP);
        }
    }

    private void work() {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (task == STOP) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Unexpected failure in a message task", e);
            }
        }
    }
}
