/**
 * Not API: types that other Flotilla modules reach but applications must not use. The module descriptor exports
 * this package only to {@code dev.flotilla.testkit}; its types may change in any release.
 */
package dev.flotilla.messaging.internal;
