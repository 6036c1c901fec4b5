/**
 * Least-privilege NATS permissions for a Flotilla system: what each service does on NATS, collected from the
 * {@code $SRV.INFO} answers of running services, turned into a nats-server {@code authorization} block with one NKey
 * user per service. Start from {@link dev.flotilla.messaging.permissions.NatsPermissions}; the command line is
 * {@link dev.flotilla.messaging.permissions.NatsPermissionsCommand}.
 */
package dev.flotilla.messaging.permissions;
