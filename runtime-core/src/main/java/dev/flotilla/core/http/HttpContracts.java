package dev.flotilla.core.http;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.core.Flotilla;

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
 *
 * <p><b>Constraints.</b> Jakarta Validation constraints on the contract's parameters ({@code @PathParam("id") @Size(max
 * = 36) String id}) and on the body's record ({@code record NewUser(@NotBlank @Size(max = 200) String name)}) are
 * checked before the implementation runs, with Hibernate Validator: the body is always validated, records nested in
 * it where their field is marked {@code @Valid}. A call that breaks any is answered with 400, type
 * {@code urn:flotilla:problem:invalid-request}, naming every offending value in the extension member {@code errors}:
 * {@code {"pointer": "#/name", "detail": "size must be between 0 and 200"}} for the body,
 * {@code {"parameter": "id", "in": "path", "detail": ...}} for a parameter. Constraints are read from the interface
 * only, and appear in the published schemas. A module whose contract records carry constraints opens their package
 * to {@code org.hibernate.validator}.
 *
 * <p><b>Declared problems.</b> A method lists the problems it answers in its {@code throws} clause, with exceptions
 * annotated {@link dev.flotilla.core.problem.ProblemType} (see there). The document lists them per operation; typed
 * clients throw them; an implementation that throws an annotated problem exception its method does not declare
 * answers 500 (logged), so an operation never answers a problem type its contract does not list.
 */
public final class HttpContracts {
    /**
     * The request header in which Flotilla's typed clients name the calling service: {@value}. Served deprecated
     * methods count their calls per value.
     */
    public static final String CALLER_HEADER = "X-Flotilla-Caller";

    private HttpContracts() {
    }

    /**
     * A Helidon service with one route per method of the contract, calling the implementation. Register it on the
     * service's rules; hand-written routes can sit beside it.
     *
     * @param contract       the contract interface (public)
     * @param implementation its implementation
     * @param <T>            the contract type
     * @return the service to register; it also counts calls to deprecated methods
     * @throws NullPointerException if an argument is {@code null}
     * @throws ContractException    if the interface is not a valid contract, a declared exception has no public
     *                              constructor taking a Problem (the message names the method), or its constraints
     *                              are not valid Bean Validation
     */
    public static <T> ContractService serve(Class<T> contract, T implementation) {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(implementation, "implementation");
        return new ContractService(contract, implementation);
    }

    /**
     * Checks a contract interface without serving or calling it, for a unit test of the contract module.
     *
     * @param contract the contract interface
     * @throws NullPointerException if {@code contract} is {@code null}
     * @throws ContractException    if the interface is not a valid contract, a declared exception has no public
     *                              constructor taking a Problem (the message names the method), or its constraints
     *                              are not valid Bean Validation
     */
    public static void validate(Class<?> contract) {
        Objects.requireNonNull(contract, "contract");
        ContractValidator.create(contract, Endpoint.parseContract(contract));
    }

    /**
     * The OpenAPI 3.1 document of contract interfaces, as a service serves it at {@code /openapi}: one operation
     * per method (operation id {@code Interface.method}, tagged with the interface's simple name), its path, query
     * and header parameters (with the schema keywords of their constraints), JSON request body, success response,
     * the problems the method declares, and the problem responses ({@code application/problem+json}) the runtime may
     * answer with; deprecated methods are
     * {@code deprecated: true} with their sunset as {@code x-sunset}. Body schemas are JSON Schema 2020-12 under
     * {@code components/schemas} (see {@link dev.flotilla.core.schema.JsonSchemas}).
     *
     * @param title     the document's title, usually the service name
     * @param version   the document's version, usually the service version
     * @param contracts the contract interfaces
     * @return a new document, owned by the caller
     * @throws NullPointerException if an argument or a contract is {@code null}
     * @throws ContractException    if an interface is not a valid contract, or two declare the same operation
     */
    public static ObjectNode openApi(String title, String version, List<Class<?>> contracts) {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(contracts, "contracts");
        contracts.forEach(c -> Objects.requireNonNull(c, "contract"));
        return OpenApiWriter.write(title, version, List.copyOf(contracts));
    }
}
