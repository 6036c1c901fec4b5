package dev.flotilla.benchmarks.messaging;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.SubscriptionOptions;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Publish and consume small typed events (about 128 bytes of JSON) through Flotilla and through raw jnats, in the
 * same run against the same private nats-server. One operation is one message published and consumed: each
 * invocation publishes a batch and waits until the consumer has seen all of it.
 *
 * <p>The raw side does what a hand-written typed client does: Jackson encode before publishing and decode in the
 * handler (same ObjectMapper settings), so the ratio shows Flotilla's own overhead, not JSON's.
 * Core: a publishing connection and a consuming connection with a queue-group subscription.
 * JetStream: synchronous publish with ack and a message id, durable pull consumer with explicit acks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MessagingBenchmark {

    /** A small event; its JSON is about 128 bytes. */
    public record OrderCreated(String orderId, String customerId, long quantity, long cents, String note) {
    }

    /** Messages per invocation of the core benchmarks: one batch published, then waited for. */
    public static final int CORE_BATCH = 2_000;
    /** Messages per invocation of the JetStream benchmarks. */
    public static final int JS_BATCH = 200;

    private final ObjectMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private final OrderCreated event = new OrderCreated("order-000000001", "customer-0000042", 3, 129_900,
            "deliver to the back door, please");

    private NatsServer server;

    private Messaging flotillaPublisher;
    private Messaging flotillaConsumer;
    private final AtomicLong flotillaCore = new AtomicLong();
    private final AtomicLong flotillaJs = new AtomicLong();

    private Connection rawPublisher;
    private Connection rawConsumer;
    private JetStream rawJs;
    private MessageConsumer rawJsConsumer;
    private final AtomicLong rawCore = new AtomicLong();
    private final AtomicLong rawJsCount = new AtomicLong();
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = NatsServer.start();
        NatsSettings settings = NatsSettings.builder().server(server.url()).build();
        flotillaPublisher = Messaging.builder().serviceName("bench-publisher").nats(settings)
                .addStream(StreamDefinition.builder("FLOTILLA").addSubject("flotilla.js.>").build()).build();
        flotillaConsumer = Messaging.builder().serviceName("bench-consumer").nats(settings).build();
        flotillaConsumer.subscribe("flotilla.core.orders", OrderCreated.class,
                e -> flotillaCore.incrementAndGet());
        flotillaConsumer.subscribeDurable("flotilla.js.orders", OrderCreated.class,
                SubscriptionOptions.builder().prefetch(JS_BATCH).build(), e -> flotillaJs.incrementAndGet());

        rawPublisher = Nats.connect(server.url());
        rawConsumer = Nats.connect(server.url());
        Dispatcher dispatcher = rawConsumer.createDispatcher(m -> {
            decode(m.getData());
            rawCore.incrementAndGet();
        });
        dispatcher.subscribe("raw.core.orders", "bench-consumer");
        JetStreamManagement jsm = rawPublisher.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name("RAW").subjects("raw.js.>")
                .storageType(StorageType.File).build());
        rawJs = rawPublisher.jetStream();
        rawJsConsumer = rawConsumer.getStreamContext("RAW")
                .createOrUpdateConsumer(ConsumerConfiguration.builder().durable("bench-consumer")
                        .filterSubject("raw.js.orders").ackPolicy(AckPolicy.Explicit).build())
                .consume(ConsumeOptions.builder().batchSize(JS_BATCH).build(), m -> {
                    decode(m.getData());
                    m.ack();
                    rawJsCount.incrementAndGet();
                });
        rawConsumer.flush(Duration.ofSeconds(5));
        flotillaConsumer.request("$SRV.PING", "x", Object.class, Duration.ofSeconds(5));
    }

    private OrderCreated decode(byte[] data) {
        try {
            return mapper.readValue(data, OrderCreated.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] encode(OrderCreated e) {
        try {
            return mapper.writeValueAsBytes(e);
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        flotillaPublisher.close();
        flotillaConsumer.close();
        rawJsConsumer.stop();
        rawPublisher.close();
        rawConsumer.close();
        server.close();
    }

    private static void awaitCount(AtomicLong counter, long target) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() < target) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("consumer stalled at " + counter.get() + " of " + target);
            }
            LockSupport.parkNanos(20_000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(CORE_BATCH)
    public void coreFlotilla() {
        long target = flotillaCore.get() + CORE_BATCH;
        for (int i = 0; i < CORE_BATCH; i++) {
            flotillaPublisher.publish("flotilla.core.orders", event);
        }
        awaitCount(flotillaCore, target);
    }

    @Benchmark
    @OperationsPerInvocation(CORE_BATCH)
    public void coreRawJnats() {
        long target = rawCore.get() + CORE_BATCH;
        for (int i = 0; i < CORE_BATCH; i++) {
            rawPublisher.publish("raw.core.orders", encode(event));
        }
        awaitCount(rawCore, target);
    }

    @Benchmark
    @OperationsPerInvocation(JS_BATCH)
    public void jetStreamFlotilla() {
        long target = flotillaJs.get() + JS_BATCH;
        for (int i = 0; i < JS_BATCH; i++) {
            flotillaPublisher.publishDurable("flotilla.js.orders", event, "f-" + sequence++);
        }
        awaitCount(flotillaJs, target);
    }

    @Benchmark
    @OperationsPerInvocation(JS_BATCH)
    public void jetStreamRawJnats() throws Exception {
        long target = rawJsCount.get() + JS_BATCH;
        for (int i = 0; i < JS_BATCH; i++) {
            rawJs.publish("raw.js.orders", encode(event),
                    PublishOptions.builder().messageId("r-" + sequence++).build());
        }
        awaitCount(rawJsCount, target);
    }

    /** Diagnostic: Flotilla publishes, raw jnats consumes (isolates the publishing side). */
    @Benchmark
    @OperationsPerInvocation(JS_BATCH)
    public void jetStreamMixedFlotillaPublish() {
        long target = rawJsCount.get() + JS_BATCH;
        for (int i = 0; i < JS_BATCH; i++) {
            flotillaPublisher.publishDurable("raw.js.orders", event, "m-" + sequence++);
        }
        awaitCount(rawJsCount, target);
    }

    /** Diagnostic: raw jnats publishes, Flotilla consumes (isolates the consuming side). */
    @Benchmark
    @OperationsPerInvocation(JS_BATCH)
    public void jetStreamMixedFlotillaConsume() throws Exception {
        long target = flotillaJs.get() + JS_BATCH;
        for (int i = 0; i < JS_BATCH; i++) {
            rawJs.publish("flotilla.js.orders", encode(event),
                    PublishOptions.builder().messageId("n-" + sequence++).build());
        }
        awaitCount(flotillaJs, target);
    }
}
