/**
 * Benchmarks against the raw building blocks.
 */
package dev.flotilla.benchmarks;
