/**
 * A JUnit 5 extension that runs a whole system of services in one JVM.
 */
package dev.flotilla.testkit;
