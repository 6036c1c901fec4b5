/**
 * The published contract of the user-service: {@link dev.flotilla.sample.user.api.UserApi}.
 */
package dev.flotilla.sample.user.api;
