/**
 * Typed HTTP: a service's API written once as an annotated Java interface, served with
 * {@link dev.flotilla.core.http.HttpContracts} and called with {@link dev.flotilla.core.http.ServiceClients}
 * (through {@link dev.flotilla.core.ServiceContext#client(Class, String)}).
 */
package dev.flotilla.core.http;
