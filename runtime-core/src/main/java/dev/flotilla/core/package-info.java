/**
 * The Flotilla service runtime: extend {@link dev.flotilla.core.Service}, run it with
 * {@link dev.flotilla.core.Flotilla#run(dev.flotilla.core.Service, java.lang.String...)} or host several with
 * {@link dev.flotilla.core.ServiceRuntime}.
 */
package dev.flotilla.core;
