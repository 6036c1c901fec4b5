/**
 * The Flotilla sample: for now a minimal greeting service; the sample shop builds on it.
 */
package dev.flotilla.sample;
