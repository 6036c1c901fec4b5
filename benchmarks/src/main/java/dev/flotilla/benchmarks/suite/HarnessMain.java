package dev.flotilla.benchmarks.suite;

import java.time.Duration;

/**
 * The entry point of a harness JVM that {@link Suite} forks for one scenario:
 * {@code HarnessMain <scenario> <rounds> <window-ms>}. Sets both sides up, runs one warm-up round, then the given
 * number of rounds, alternating which side goes first, and writes {@code MEASURE} and {@code NOTE} lines.
 */
final class HarnessMain {
    private HarnessMain() {
    }

    /**
     * Runs one scenario.
     *
     * @param args scenario name ({@code server}, {@code client}, {@code core-nats}, {@code request-reply},
     *             {@code jetstream}, {@code fan-out}, {@code heap}; the first five with {@code -aa} appended: their
     *             A/A checks, both sides raw), rounds, window in milliseconds
     * @throws Exception when the scenario fails; the suite reports the exit status
     */
    public static void main(String[] args) throws Exception {
        String name = args[0];
        int rounds = Integer.parseInt(args[1]);
        Duration window = Duration.ofMillis(Long.parseLong(args[2]));
        if (name.equals("heap")) {
            FanOutScenario.idleHeap(rounds);
            System.exit(0);
        }
        try (HarnessScenario scenario = switch (name) {
            case "server" -> new HttpServerScenario(false, 16, window, false);
            case "client" -> new HttpServerScenario(true, 8, window, false);
            case "request-reply" -> new RequestReplyScenario(64, window, false);
            case "core-nats" -> new MessagingScenario(false, window, false);
            case "jetstream" -> new MessagingScenario(true, window, false);
            case "server-aa" -> new HttpServerScenario(false, 16, window, true);
            case "client-aa" -> new HttpServerScenario(true, 8, window, true);
            case "request-reply-aa" -> new RequestReplyScenario(64, window, true);
            case "core-nats-aa" -> new MessagingScenario(false, window, true);
            case "jetstream-aa" -> new MessagingScenario(true, window, true);
            case "fan-out" -> new FanOutScenario(new int[] {100, 1000}, window);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'");
        }) {
            scenario.setUp();
            scenario.runRound(0, true, HarnessScenario.Side.RAW, HarnessScenario.Side.FLOTILLA);
            for (int round = 1; round <= rounds; round++) {
                if (round % 2 == 1) {
                    scenario.runRound(round, false, HarnessScenario.Side.RAW, HarnessScenario.Side.FLOTILLA);
                } else {
                    scenario.runRound(round, false, HarnessScenario.Side.FLOTILLA, HarnessScenario.Side.RAW);
                }
            }
            scenario.finish();
        }
        System.exit(0); // non-daemon threads of the libraries must not keep the harness alive
    }
}
