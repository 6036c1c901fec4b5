package dev.flotilla.benchmarks.messaging;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

/**
 * Diagnostic companion of scenario 4: JetStream publish with acks and durable consume with explicit acks, one side
 * per JVM, measured only after a long warm-up, with what the JVM spends per message. Same work as
 * {@link MessagingBenchmark#jetStreamFlotilla()} and {@link MessagingBenchmark#jetStreamRawJnats()}: batches of 200
 * synchronous publishes with message ids, each batch waited for until consumed. Prints messages per second, the
 * JVM's CPU time per message (its own threads, not the nats-server process) and the JIT compilers' time in the
 * measured window, which tells whether the JIT still compiles while it is measured.
 *
 * <pre>
 * java -XX:+UseG1GC -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *      dev.flotilla.benchmarks.messaging.JetStreamSteadyState flotilla|raw [warm-up s, 12] [measured s, 5]
 * </pre>
 */
public final class JetStreamSteadyState {
    private static final int BATCH = 200;

    private JetStreamSteadyState() {
    }

    /**
     * Runs one side and prints its figures.
     *
     * @param args {@code flotilla} or {@code raw}; warm-up seconds; measured seconds
     * @throws Exception if the set-up fails
     */
    public static void main(String[] args) throws Exception {
        boolean raw = args.length > 0 && args[0].equals("raw");
        long warmup = args.length > 1 ? Long.parseLong(args[1]) : 12;
        long measured = args.length > 2 ? Long.parseLong(args[2]) : 5;
        ObjectMapper mapper = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        MessagingBenchmark.OrderCreated event = new MessagingBenchmark.OrderCreated("order-000000001",
                "customer-0000042", 3, 129_900, "deliver to the back door, please");
        AtomicLong consumed = new AtomicLong();
        AtomicLong sequence = new AtomicLong();
        try (NatsServer server = NatsServer.start()) {
            Publisher publisher;
            if (raw) {
                Connection publishing = Nats.connect(server.url());
                Connection consuming = Nats.connect(server.url());
                publishing.jetStreamManagement().addStream(StreamConfiguration.builder().name("RAW")
                        .subjects("raw.js.>").storageType(StorageType.File).build());
                consuming.getStreamContext("RAW")
                        .createOrUpdateConsumer(ConsumerConfiguration.builder().durable("bench-consumer")
                                .filterSubject("raw.js.orders").ackPolicy(AckPolicy.Explicit).build())
                        .consume(ConsumeOptions.builder().batchSize(BATCH).build(), m -> {
                            try {
                                mapper.readValue(m.getData(), MessagingBenchmark.OrderCreated.class);
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                            m.ack();
                            consumed.incrementAndGet();
                        });
                JetStream js = publishing.jetStream();
                publisher = () -> js.publish("raw.js.orders", mapper.writeValueAsBytes(event),
                        PublishOptions.builder().messageId("r-" + sequence.incrementAndGet()).build());
            } else {
                NatsSettings settings = NatsSettings.builder().server(server.url()).build();
                Messaging publishing = Messaging.builder().serviceName("bench-publisher").nats(settings)
                        .addStream(StreamDefinition.builder("FLOTILLA").addSubject("flotilla.js.>").build())
                        .build();
                Messaging consuming = Messaging.builder().serviceName("bench-consumer").nats(settings).build();
                consuming.subscribeDurable("flotilla.js.orders", MessagingBenchmark.OrderCreated.class,
                        SubscriptionOptions.builder().prefetch(BATCH).build(), e -> consumed.incrementAndGet());
                publisher = () -> publishing.publishDurable("flotilla.js.orders", event,
                        "f-" + sequence.incrementAndGet());
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread load = Thread.ofPlatform().name("publisher").start(() -> {
                try {
                    while (!stop.get()) {
                        long target = consumed.get() + BATCH;
                        for (int i = 0; i < BATCH; i++) {
                            publisher.publish();
                        }
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (consumed.get() < target && System.nanoTime() - deadline < 0) {
                            LockSupport.parkNanos(20_000);
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            Thread.sleep(Duration.ofSeconds(warmup));
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long count0 = consumed.get();
            long cpu0 = os.getProcessCpuTime();
            long jit0 = jit.getTotalCompilationTime();
            long t0 = System.nanoTime();
            Thread.sleep(Duration.ofSeconds(measured));
            long messages = consumed.get() - count0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = os.getProcessCpuTime() - cpu0;
            long jitMillis = jit.getTotalCompilationTime() - jit0;
            stop.set(true);
            load.join(Duration.ofSeconds(10));
            System.out.printf(Locale.ROOT, "%s: %.0f msg/s after %d s of warm-up; JVM CPU %.1f us per message; "
                                      + "JIT compilers %d ms in the %d s measured%n",
                              raw ? "raw" : "flotilla", messages / seconds, warmup,
                              messages == 0 ? 0.0 : cpu / 1e3 / messages, jitMillis, measured);
        }
        System.exit(0); // the libraries' non-daemon threads must not keep it alive
    }

    @FunctionalInterface
    private interface Publisher {
        void publish() throws Exception;
    }
}
