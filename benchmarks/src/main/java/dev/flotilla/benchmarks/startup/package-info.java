/**
 * Where a service process's start-up time goes: exec to ready, and the classes each library loads on the way.
 */
package dev.flotilla.benchmarks.startup;
