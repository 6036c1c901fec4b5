package dev.flotilla.core.http;

import java.util.Set;

import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A bad contract fails when a client or binding is created, with a message naming the method and parameter. */
class ContractValidationTest {

    interface MissingVerb {
        String find(@PathParam("id") long id);
    }

    interface MissingPathParam {
        @Get("/v1/users/{id}")
        String find();
    }

    interface UnknownPathParam {
        @Get("/v1/users/{id}")
        String find(@PathParam("id") long id, @PathParam("name") String name);
    }

    interface TwoBodies {
        @Post("/v1/users")
        String create(@Body String first, @Body String second);
    }

    interface UnsupportedReturn {
        @Get("/v1/users")
        Set<String> all();
    }

    interface UnannotatedParameter {
        @Get("/v1/users")
        String all(String filter);
    }

    interface BodyOnGet {
        @Get("/v1/users")
        String all(@Body String filter);
    }

    interface TwoVerbs {
        @Get("/v1/users")
        @Delete("/v1/users")
        void all();
    }

    interface RawOptional {
        @SuppressWarnings("rawtypes")
        @Get("/v1/users/{id}")
        java.util.Optional find(@PathParam("id") long id);
    }

    interface DuplicateRoute {
        @Get("/v1/users/{id}")
        String first(@PathParam("id") long id);

        @Get("/v1/users/{key}")
        String second(@PathParam("key") long key);
    }

    static final class NotAnInterface {
    }

    /** A declared problem that a client could not make: no constructor taking a Problem. */
    @ProblemType(status = 409, type = "taken", title = "Taken")
    public static final class TakenException extends ProblemException {
        private static final long serialVersionUID = 1L;

        public TakenException(String detail) {
            super(detail);
        }
    }

    interface DeclaresWithoutProblemConstructor {
        @Post("/v1/users")
        String create(@Body String user) throws TakenException;
    }

    interface DeclaresAnUntypedProblem {
        @Get("/v1/users/{id}")
        String find(@PathParam("id") long id) throws NotFoundException;
    }

    private static String message(Class<?> contract) {
        return assertThrows(ContractException.class, () -> HttpContracts.validate(contract)).getMessage();
    }

    @Test
    void missingHttpMethodAnnotation() {
        assertEquals("HTTP method annotation is required (e.g., @Get, @Post, @Put, @Patch, @Delete).\n"
                             + "    for method MissingVerb.find", message(MissingVerb.class));
    }

    @Test
    void pathVariableWithoutParameter() {
        assertEquals("Path variable {id} has no @PathParam(\"id\") parameter.\n"
                             + "    for method MissingPathParam.find", message(MissingPathParam.class));
    }

    @Test
    void pathParameterNotInPath() {
        assertEquals("@PathParam(\"name\") names no {name} in the path \"/v1/users/{id}\".\n"
                             + "    for method UnknownPathParam.find (parameter 'name')", message(UnknownPathParam.class));
    }

    @Test
    void twoBodies() {
        assertEquals("Only one @Body parameter is allowed.\n"
                             + "    for method TwoBodies.create (parameter 'second')", message(TwoBodies.class));
    }

    @Test
    void unsupportedReturnType() {
        assertEquals("Return type java.util.Set<java.lang.String> is not supported: use a value type, Optional<T>, "
                             + "List<T>, void, HttpResult<T>, or a CompletableFuture of one of these.\n"
                             + "    for method UnsupportedReturn.all", message(UnsupportedReturn.class));
    }

    @Test
    void parameterWithoutBinding() {
        assertEquals("Parameter has no binding annotation (@PathParam, @Query, @Header or @Body).\n"
                             + "    for method UnannotatedParameter.all (parameter 'filter')",
                     message(UnannotatedParameter.class));
    }

    @Test
    void bodyOnGet() {
        assertEquals("A GET cannot have a @Body.\n    for method BodyOnGet.all (parameter 'filter')",
                     message(BodyOnGet.class));
    }

    @Test
    void twoHttpMethods() {
        assertEquals("Only one HTTP method is allowed, found @Get and @Delete.\n    for method TwoVerbs.all",
                     message(TwoVerbs.class).replace("found @Delete and @Get", "found @Get and @Delete"));
    }

    @Test
    void rawOptional() {
        assertEquals("Type java.util.Optional needs a type argument, such as java.util.Optional<User>.\n"
                             + "    for method RawOptional.find", message(RawOptional.class));
    }

    @Test
    void duplicateRoute() {
        String message = message(DuplicateRoute.class);
        assertEquals("Another method of this contract is already mapped to GET /v1/users/{}.",
                     message.substring(0, message.indexOf('\n')));
    }

    @Test
    void notAnInterface() {
        assertEquals("A contract must be an interface, " + NotAnInterface.class.getName() + " is not.",
                     message(NotAnInterface.class));
    }

    @Test
    void aDeclaredExceptionNeedsAPublicConstructorTakingAProblem() {
        String expected = "Declared exception TakenException needs a public constructor taking a Problem, such as "
                + "public TakenException(Problem problem) { super(problem); }, so a client can throw it (the class "
                + "must be public, in a package its module exports).\n"
                + "    for method DeclaresWithoutProblemConstructor.create";
        assertEquals(expected, message(DeclaresWithoutProblemConstructor.class));
        try (ServiceClients clients = ServiceClients.builder().build()) {
            assertEquals(expected, assertThrows(ContractException.class, () -> clients.create(
                    DeclaresWithoutProblemConstructor.class, "user-service")).getMessage());
        }
    }

    @Test
    void aDeclaredProblemExceptionNeedsAProblemType() {
        assertEquals("Declared exception NotFoundException must be annotated @ProblemType(status, type, title) to be "
                             + "answered and told apart by clients, or left out of the throws clause.\n"
                             + "    for method DeclaresAnUntypedProblem.find", message(DeclaresAnUntypedProblem.class));
    }

    @Test
    void clientCreationChecksTheContractEagerly() {
        try (ServiceClients clients = ServiceClients.builder().build()) {
            ContractException e = assertThrows(ContractException.class,
                                               () -> clients.create(TwoBodies.class, "user-service"));
            assertEquals("Only one @Body parameter is allowed.\n"
                                 + "    for method TwoBodies.create (parameter 'second')", e.getMessage());
        }
    }

    @Test
    void bindingChecksTheContractEagerly() {
        assertThrows(ContractException.class, () -> HttpContracts.serve(MissingVerb.class, id -> "x"));
    }
}
