/**
 * The user-service: registers users and answers who they are, and takes payments against their credit limit. Owns
 * the {@code users}, {@code payments} and {@code payment_effects} tables.
 */
package dev.flotilla.sample.user;
