package dev.flotilla.core.http;

import java.util.Objects;

import io.helidon.webserver.http.HttpService;

/**
 * Serves contract interfaces: the owning service binds its implementation to routes, with no hand-written route
 * code. Other services call the same interface through {@link dev.flotilla.core.ServiceContext#client(Class, String)}.
 *
 * <pre>{@code
 * public interface UserApi {
 *     @Get("/v1/users/{id}")
 *     Optional<User> find(@PathParam("id") long id);
 *
 *     @Post("/v1/users")
 *     @ResponseStatus(201)
 *     User create(@Body NewUser user);
 * }
 *
 * // in the user service:
 * @Override
 * protected void routes(HttpRules rules, ServiceContext context) {
 *     rules.register(HttpContracts.serve(UserApi.class, new UserResource(repository)));
 * }
 * }</pre>
 *
 * A served method answers 200 with its value as JSON (204 for {@code void}, or its {@link ResponseStatus}), 404 for
 * an empty {@code Optional}, and the status and headers of an {@link HttpResult}. A path, query or header value that
 * does not convert to its parameter's type, or a missing body, is answered with 400; exceptions become problem
 * responses like any handler's.
 */
public final class HttpContracts {
    private HttpContracts() {
    }

    /**
     * A Helidon service with one route per method of the contract, calling the implementation. Register it on the
     * service's rules; hand-written routes can sit beside it.
     *
     * @param contract       the contract interface (public)
     * @param implementation its implementation
     * @param <T>            the contract type
     * @return the service to register
     * @throws NullPointerException if an argument is {@code null}
     * @throws ContractException    if the interface is not a valid contract (the message names the method)
     */
    public static <T> HttpService serve(Class<T> contract, T implementation) {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(implementation, "implementation");
        return new ContractService(contract, implementation);
    }

    /**
     * Checks a contract interface without serving or calling it, for a unit test of the contract module.
     *
     * @param contract the contract interface
     * @throws NullPointerException if {@code contract} is {@code null}
     * @throws ContractException    if the interface is not a valid contract (the message names the method)
     */
    public static void validate(Class<?> contract) {
        Objects.requireNonNull(contract, "contract");
        Endpoint.parseContract(contract);
    }
}
