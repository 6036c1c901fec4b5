/**
 * The Flotilla testkit: {@link dev.flotilla.testkit.TestSystem} runs a whole system of services in one JVM for
 * integration tests, with message capture, faults, log capture and {@link dev.flotilla.testkit.Eventually}.
 */
package dev.flotilla.testkit;
