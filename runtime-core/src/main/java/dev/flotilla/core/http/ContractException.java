package dev.flotilla.core.http;

/**
 * A contract interface that cannot be served or called: a missing HTTP method annotation, a path variable without a
 * parameter, two bodies, an unsupported return type. Thrown when a client or a binding is created, so a bad contract
 * fails at start-up. The message says what is wrong and names the method, and the parameter when one is at fault:
 * <pre>
 * Only one @Body parameter is allowed.
 *     for method UserApi.create (parameter 'other')
 * </pre>
 */
public final class ContractException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    ContractException(String message) {
        super(message);
    }
}
