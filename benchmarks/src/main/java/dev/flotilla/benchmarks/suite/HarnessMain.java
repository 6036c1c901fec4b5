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
     * @param args scenario name ({@code server}, {@code client}, {@code request-reply}, {@code fan-out}, {@code heap}), rounds,
     *             window in milliseconds
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
            case "server" -> new HttpServerScenario(false, 16, window);
            case "client" -> new HttpServerScenario(true, 8, window);
            case "request-reply" -> new RequestReplyScenario(64, window);
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
