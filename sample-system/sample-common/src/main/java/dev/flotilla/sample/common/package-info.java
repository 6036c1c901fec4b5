/**
 * What every sample service shares and no service owns: its own database pool ({@link
 * dev.flotilla.sample.common.Database}) and events that are durable on NATS ({@link
 * dev.flotilla.sample.common.DurableEvents}). No domain code lives here.
 */
package dev.flotilla.sample.common;
