/**
 * The benchmark suite of issue #10 in one command: {@link dev.flotilla.benchmarks.suite.Suite} runs every scenario
 * against its raw counterpart, raw and Flotilla alternately in rounds, in JVMs forked with the same GC and heap (JMH
 * forks for the JMH benchmarks, harness JVMs for the closed-loop scenarios), and writes the report into
 * {@code docs/performance.md}. See that page for what each scenario measures.
 */
package dev.flotilla.benchmarks.suite;
