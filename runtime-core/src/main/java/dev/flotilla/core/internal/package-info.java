/**
 * Implementation shared by the packages of runtime-core. Not API: may change without notice.
 */
package dev.flotilla.core.internal;
