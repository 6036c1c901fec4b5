package dev.flotilla.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message broker inside the JVM with core NATS semantics: subject wildcards ({@code *}, {@code >}), queue groups
 * (one member of each group gets each message), broadcast, request-reply and headers. At-most-once, like core NATS:
 * a subscriber that falls more than {@value #DEFAULT_PENDING_LIMIT} messages behind loses messages (counted as a
 * slow consumer). It has no JetStream: durable calls on it fail with {@link UnsupportedByTransportException}.
 *
 * <p>Create one per system and hand it to every service that should talk to the others
 * ({@link Messaging.Builder#inJvm(InJvmBroker)}); nothing is shared between brokers. Thread-safe.
 */
public final class InJvmBroker {

    /** Messages queued per subscription before new ones are dropped. */
    public static final int DEFAULT_PENDING_LIMIT = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(InJvmBroker.class);

    private final List<Member> members = new CopyOnWriteArrayList<>();
    /** State other packages keep per broker (the saga engine's in-memory store), by key. */
    private final java.util.Map<String, Object> shared = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Creates an empty broker.
     */
    public InJvmBroker() {
    }

    /** Delivers to every matching non-queue member and one member per matching queue group. */
    int publish(RawMessage message) {
        Subjects.checkConcrete(message.subject());
        int receivers = 0;
        Map<String, List<Member>> groups = null;
        for (Member m : members) {
            if (!Subjects.matches(m.subject, message.subject())) {
                continue;
            }
            if (m.queueGroup == null) {
                m.offer(message);
                receivers++;
            } else {
                if (groups == null) {
                    groups = new LinkedHashMap<>();
                }
                groups.computeIfAbsent(m.queueGroup, g -> new ArrayList<>()).add(m);
            }
        }
        if (groups != null) {
            for (List<Member> group : groups.values()) {
                group.get(ThreadLocalRandom.current().nextInt(group.size())).offer(message);
                receivers++;
            }
        }
        return receivers;
    }

    Member subscribe(String subject, String queueGroup, Consumer<RawMessage> sink, Runnable onDrop) {
        Member m = new Member(Subjects.checkPattern(subject), queueGroup, sink, onDrop);
        members.add(m);
        return m;
    }

    /** One subscription: a pending queue and a virtual thread that hands messages to the sink in order. */
    final class Member implements Transport.Handle {
        private final String subject;
        private final String queueGroup;
        private final Consumer<RawMessage> sink;
        private final Runnable onDrop;
        private final BlockingQueue<RawMessage> pending = new ArrayBlockingQueue<>(DEFAULT_PENDING_LIMIT);
        private final Thread thread;
        private volatile boolean closed;
        private volatile boolean slow;

        private Member(String subject, String queueGroup, Consumer<RawMessage> sink, Runnable onDrop) {
            this.subject = subject;
            this.queueGroup = queueGroup;
            this.sink = Objects.requireNonNull(sink);
            this.onDrop = onDrop;
            this.thread = Thread.ofVirtual().name("flotilla-in-jvm-" + subject).start(this::deliver);
        }

        /** Like NATS, reports a slow consumer once per episode: from the first dropped message until one fits. */
        private void offer(RawMessage message) {
            if (pending.offer(message)) {
                slow = false;
            } else if (!slow) {
                slow = true;
                LOG.warn("Slow consumer on subject {}: {} messages pending, dropping messages until it catches up",
                        subject, pending.size());
                onDrop.run();
            }
        }

        private void deliver() {
            while (!closed || !pending.isEmpty()) {
                try {
                    RawMessage m = pending.poll(50, TimeUnit.MILLISECONDS);
                    if (m != null) {
                        sink.accept(m);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.error("In-JVM delivery on {} failed", subject, e);
                }
            }
        }

        @Override
        public boolean stopIntake(Duration timeout) {
            members.remove(this);
            closed = true;
            try {
                return thread.join(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void close() {
            members.remove(this);
            closed = true;
            pending.clear();
        }
    }

    /** The object kept under {@code key}, made by {@code factory} the first time. */
    <T> T shared(String key, Class<T> type, java.util.function.Supplier<T> factory) {
        return type.cast(shared.computeIfAbsent(key, k -> factory.get()));
    }
}
