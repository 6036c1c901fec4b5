package dev.flotilla.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.json.JsonMapping;

/**
 * Every message published on the subjects of a {@link TestSystem}, captured for assertions: events, durable
 * publishes, requests and dead letters (replies on inboxes and NATS' own {@code $} subjects are left out). Cleared
 * before each test. Thread-safe.
 *
 * <pre>{@code
 * OrderCreated event = system.messages().await("orders.order-created.v1", OrderCreated.class,
 *                                              e -> e.orderId().equals(id));
 * system.messages().assertNonePublished("orders.order-cancelled.v1", Duration.ofMillis(500));
 * }</pre>
 */
public final class Messages {
    /** The default deadline of {@link #await(String, Class, Predicate)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_NANOS = 5_000_000;

    private final List<CapturedMessage> captured = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = JsonMapping.newMapper();

    Messages() {
    }

    void record(CapturedMessage message) {
        if (message.subject().startsWith("$") || message.subject().startsWith("_INBOX")) {
            return;
        }
        captured.add(message);
    }

    /**
     * Waits until a message matching the condition is published on {@code subject}, for at most
     * {@link #DEFAULT_TIMEOUT}; messages captured earlier in the test count.
     *
     * @param subject   the subject; {@code *} and {@code >} wildcards match as in NATS
     * @param type      the payload type
     * @param condition what the payload must satisfy
     * @param <T>       the payload type
     * @return the first matching payload
     * @throws AssertionError if none comes in time; the message lists what was captured on the subject
     */
    public <T> T await(String subject, Class<T> type, Predicate<? super T> condition) {
        return await(subject, type, condition, DEFAULT_TIMEOUT);
    }

    /**
     * Waits until a message matching the condition is published on {@code subject}.
     *
     * @param subject   the subject; {@code *} and {@code >} wildcards match as in NATS
     * @param type      the payload type
     * @param condition what the payload must satisfy
     * @param timeout   how long to wait
     * @param <T>       the payload type
     * @return the first matching payload
     * @throws AssertionError       if none comes in time; the message lists what was captured on the subject
     * @throws NullPointerException if an argument is {@code null}
     */
    public <T> T await(String subject, Class<T> type, Predicate<? super T> condition, Duration timeout) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(condition, "condition");
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        while (true) {
            List<CapturedMessage> snapshot = List.copyOf(captured);
            for (int i = checked; i < snapshot.size(); i++) {
                CapturedMessage message = snapshot.get(i);
                if (matches(subject, message.subject())) {
                    T payload = decode(message, type);
                    if (payload != null && condition.test(payload)) {
                        return payload;
                    }
                }
            }
            checked = snapshot.size();
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("No message on '" + subject + "' matching the condition within " + timeout
                        + ". Captured on that subject: " + on(subject) + ". Subjects seen: " + subjects());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Waits until {@code count} messages have been published on {@code subject}.
     *
     * @param subject the subject; wildcards allowed
     * @param count   how many
     * @param timeout how long to wait
     * @return the messages on the subject, at least {@code count}
     * @throws AssertionError if fewer come in time
     */
    public List<CapturedMessage> awaitCount(String subject, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<CapturedMessage> found = on(subject);
            if (found.size() >= count) {
                return found;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Expected " + count + " messages on '" + subject + "' within " + timeout
                        + ", captured " + found.size() + ": " + found);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Asserts that nothing is published on {@code subject} during {@code period} (and nothing was, earlier in the
     * test). This waits for the whole period: keep it short.
     *
     * @param subject the subject; wildcards allowed
     * @param period  how long to watch
     * @throws AssertionError as soon as a message appears, naming it
     */
    public void assertNonePublished(String subject, Duration period) {
        long end = System.nanoTime() + period.toNanos();
        do {
            List<CapturedMessage> found = on(subject);
            if (!found.isEmpty()) {
                throw new AssertionError("Expected nothing on '" + subject + "', but captured: " + found);
            }
            LockSupport.parkNanos(POLL_NANOS);
        } while (System.nanoTime() - end < 0);
    }

    /**
     * The payloads captured on a subject so far, decoded.
     *
     * @param subject the subject; wildcards allowed
     * @param type    the payload type
     * @param <T>     the payload type
     * @return the payloads, in order; those that do not decode are left out
     */
    public <T> List<T> all(String subject, Class<T> type) {
        List<T> payloads = new ArrayList<>();
        for (CapturedMessage message : on(subject)) {
            T payload = decode(message, type);
            if (payload != null) {
                payloads.add(payload);
            }
        }
        return payloads;
    }

    /**
     * The messages captured on a subject so far.
     *
     * @param subject the subject; wildcards allowed
     * @return the messages, in order
     */
    public List<CapturedMessage> on(String subject) {
        return captured.stream().filter(m -> matches(subject, m.subject())).toList();
    }

    /**
     * Every message captured so far in this test.
     *
     * @return the messages, in order
     */
    public List<CapturedMessage> all() {
        return List.copyOf(captured);
    }

    /** Forgets every captured message. */
    public void clear() {
        captured.clear();
    }

    private Set<String> subjects() {
        Set<String> subjects = new LinkedHashSet<>();
        captured.forEach(m -> subjects.add(m.subject()));
        return subjects;
    }

    private <T> T decode(CapturedMessage message, Class<T> type) {
        try {
            return message.as(type, json);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** NATS subject matching: {@code *} is one token, a final {@code >} is one or more. */
    static boolean matches(String pattern, String subject) {
        String[] p = pattern.split("\\.", -1);
        String[] s = subject.split("\\.", -1);
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals(">")) {
                return i == p.length - 1 && s.length > i;
            }
            if (i >= s.length || !(p[i].equals("*") || p[i].equals(s[i]))) {
                return false;
            }
        }
        return p.length == s.length;
    }
}
