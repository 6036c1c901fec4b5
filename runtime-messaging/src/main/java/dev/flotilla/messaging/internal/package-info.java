/**
 * Not API: types another Flotilla module (the testkit) reaches but applications must not use; they may change in
 * any release. The module descriptor is to export this package to {@code dev.flotilla.testkit} only.
 */
package dev.flotilla.messaging.internal;
