/**
 * The user-service: registers users and answers who they are. Owns the {@code users} table.
 */
package dev.flotilla.sample.user;
