/**
 * Central configuration in a NATS JetStream key-value bucket: the config layer every service reads and watches
 * ({@link dev.flotilla.messaging.config.NatsConfigLayerProvider}, turned on by {@code config.central.bucket}), a
 * client of the bucket ({@link dev.flotilla.messaging.config.CentralConfig}) and its command line
 * ({@link dev.flotilla.messaging.config.CentralConfigCommand}). See {@code docs/configuration.md}.
 */
package dev.flotilla.messaging.config;
