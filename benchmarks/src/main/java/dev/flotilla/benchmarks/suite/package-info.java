/**
 * The benchmark suite in one command: {@link dev.flotilla.benchmarks.suite.Suite} runs every scenario
 * against its raw counterpart, raw and Flotilla alternately in rounds (and, within a round, interleaved in slices of
 * 250 ms where the scenario allows), in JVMs forked with the same GC and heap (JMH forks for the policy set, harness
 * JVMs for the others, a JVM of their own for the HTTP servers), and writes the report into
 * {@code docs/performance.md}. See that page for what each scenario measures.
 */
package dev.flotilla.benchmarks.suite;
