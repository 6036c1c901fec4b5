package dev.flotilla.core;

/**
 * The lifecycle states of a service, in the order a service passes through them.
 */
public enum ServiceState {
    /** Created, not started. */
    NEW,
    /** The server listens and start-up hooks run; live, not ready. */
    STARTING,
    /** Start-up finished; live and ready for traffic. */
    READY,
    /** Stopping: not ready, letting requests and messages in flight finish. */
    DRAINING,
    /** Stopped; can be started again. */
    STOPPED,
    /** Start-up failed; the service was stopped and can be started again. */
    FAILED
}
