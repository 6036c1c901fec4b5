/**
 * Named, configured resilience policies over Failsafe.
 */
package dev.flotilla.resilience;
