/**
 * Extension points of the service runtime: components such as messaging hook into every service's lifecycle
 * through {@link dev.flotilla.core.spi.ServiceExtensionProvider}.
 */
package dev.flotilla.core.spi;
