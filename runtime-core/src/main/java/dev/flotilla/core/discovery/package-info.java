/**
 * Service discovery: how a typed client finds the instances of the service it calls.
 */
package dev.flotilla.core.discovery;
