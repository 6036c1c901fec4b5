/**
 * The Flotilla testkit: {@link dev.flotilla.testkit.TestSystem} runs a whole system of services in one JVM for
 * integration tests, with message capture, faults, log capture, {@link dev.flotilla.testkit.Eventually}, and every
 * answer of the services checked against the contract each publishes.
 */
package dev.flotilla.testkit;
