package dev.flotilla.core.security.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

import dev.flotilla.core.security.Caller;

/**
 * The runtime's access to what {@link Caller} keeps from its API: the user's verified bearer token (which typed
 * clients forward on the user's behalf) and the copies that add it or the calling service. Through private method
 * handles of {@link Caller}, looked up once: the token never becomes public API. Not API. Thread-safe.
 */
public final class CallerBridge {
    private static final MethodHandle BEARER;
    private static final MethodHandle WITH_BEARER;
    private static final MethodHandle WITH_SERVICE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Caller.class, MethodHandles.lookup());
            BEARER = lookup.findVirtual(Caller.class, "bearerToken", MethodType.methodType(Optional.class));
            WITH_BEARER = lookup.findVirtual(Caller.class, "withBearerToken",
                                             MethodType.methodType(Caller.class, String.class));
            WITH_SERVICE = lookup.findVirtual(Caller.class, "withService",
                                              MethodType.methodType(Caller.class, String.class,
                                                                    Caller.Mechanism.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private CallerBridge() {
    }

    /**
     * The caller's verified user bearer token, to forward on its behalf.
     *
     * @param caller the caller
     * @return the token; empty when the user was not verified by a bearer token
     */
    @SuppressWarnings("unchecked")
    public static Optional<String> bearerToken(Caller caller) {
        try {
            return (Optional<String>) BEARER.invokeExact(caller);
        } catch (Throwable t) {
            throw new IllegalStateException("Cannot read the caller's token", t);
        }
    }

    /**
     * A copy of the caller holding its verified bearer token.
     *
     * @param caller the caller, verified by that token
     * @param token  the token
     * @return the copy
     */
    public static Caller withBearerToken(Caller caller, String token) {
        try {
            return (Caller) WITH_BEARER.invokeExact(caller, token);
        } catch (Throwable t) {
            throw new IllegalStateException("Cannot keep the caller's token", t);
        }
    }

    /**
     * A copy of the caller with a verified calling service.
     *
     * @param caller    the caller (may be {@link Caller#anonymous()})
     * @param service   the service's name
     * @param mechanism how it was verified
     * @return the copy
     */
    public static Caller withService(Caller caller, String service, Caller.Mechanism mechanism) {
        try {
            return (Caller) WITH_SERVICE.invokeExact(caller, service, mechanism);
        } catch (Throwable t) {
            throw new IllegalStateException("Cannot add the calling service", t);
        }
    }
}
