package dev.flotilla.benchmarks.suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.saga.Saga;
import dev.flotilla.messaging.saga.SagaDefinition;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.messaging.saga.Sagas;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;

/**
 * Scenario 11: the cost of one saga step (a no-op action; the state, with its history, stored by compare-and-set in
 * the service's key-value bucket, a span and metrics) against the raw key-value operations a step needs: a get and an
 * update at that revision of a value of the same size, on a raw jnats connection to the same nats-server. Sides
 * alternate per round; each side runs for a fixed window and reports its median time per step.
 */
public final class SagaStepCost {
    static final String ROW = "11.step";
    private static final int STEPS = 10;

    private SagaStepCost() {
    }

    /**
     * Runs the scenario.
     *
     * @param args rounds (default 4) and window in milliseconds (default 3000)
     * @throws Exception when it cannot run
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        long window = args.length > 1 ? Long.parseLong(args[1]) : 3000;
        try (NatsServer nats = NatsServer.start();
             Connection raw = Nats.connect(nats.url());
             Messaging messaging = Messaging.builder().serviceName("bench-orders")
                     .nats(NatsSettings.builder().server(nats.url()).build()).build();
             Sagas sagas = Sagas.builder(messaging).build()) {
            raw.keyValueManagement().create(KeyValueConfiguration.builder().name("raw-steps").maxHistoryPerKey(1)
                    .storageType(StorageType.File).build());
            KeyValue kv = raw.keyValue("raw-steps");
            SagaDefinition.Builder<Order> definition = SagaDefinition.builder("bench", Order.class);
            for (int i = 0; i < STEPS; i++) {
                definition.step("step-" + i, s -> s.action(ctx -> ctx.data()));
            }
            Saga<Order> saga = sagas.register(definition.build());
            int[] started = {0};
            Side flotilla = () -> {
                String id = "s-" + started[0]++;
                if (saga.start(id, new Order(id, 3, 12_345)).state() != SagaState.COMPLETED) {
                    throw new IllegalStateException("saga " + id + " did not complete");
                }
                return STEPS;
            };
            // the value the raw side stores: a finished saga's state as the engine stored it
            flotilla.run();
            byte[] value = raw.keyValue("sagas-bench-orders").get("bench.s-0").getValue();
            kv.put("orders.k", value);
            Side rawSide = () -> {
                for (int i = 0; i < STEPS; i++) {
                    KeyValueEntry e = kv.get("orders.k");
                    kv.update("orders.k", value, e.getRevision());
                }
                return STEPS;
            };
            measure(rawSide, 1000);
            measure(flotilla, 1000);
            for (int round = 1; round <= rounds; round++) {
                boolean rawFirst = round % 2 == 1;
                for (boolean isFlotilla : rawFirst ? new boolean[] {false, true} : new boolean[] {true, false}) {
                    double micros = measure(isFlotilla ? flotilla : rawSide, window);
                    System.out.printf(Locale.ROOT, "MEASURE\t%s\t%d\t%s\t%.6f%n", ROW, round,
                                      isFlotilla ? "flotilla" : "raw", micros);
                    System.out.flush();
                }
            }
            System.out.println("NOTE\t" + ROW + "\tsagas of " + STEPS + " no-op steps started and driven inline (one "
                    + "create per saga, one compare-and-set update per step), vs " + STEPS + " raw get + update pairs "
                    + "of a " + value.length + "-byte value; one caller, file storage, the same nats-server");
        }
    }

    /** A saga's data. */
    public record Order(String id, int lines, long totalCents) {
    }

    @FunctionalInterface
    private interface Side {
        int run() throws Exception;
    }

    /** Median microseconds per step over batches run for {@code windowMillis}. */
    private static double measure(Side side, long windowMillis) throws Exception {
        List<Double> perStep = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofMillis(windowMillis).toNanos();
        while (System.nanoTime() - end < 0) {
            long t0 = System.nanoTime();
            int steps = side.run();
            perStep.add((System.nanoTime() - t0) / 1e3 / steps);
        }
        Collections.sort(perStep);
        return perStep.get(perStep.size() / 2);
    }
}
