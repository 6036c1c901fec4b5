package dev.flotilla.core.http;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The contract of the guides' example (docs/http-client.md, docs/versioning.md): constraints and a declared problem.
 * Served, called and passed through in {@link ContractGuideExamplesTest}.
 */
// tag::contract[]
public interface MemberApi {
    /** A member; every field is always there. */
    record Member(@NotNull String id, @NotNull String name, @NotNull String email) {
    }

    /** The body of a registration: bounded by what the members table stores. */
    record NewMember(@NotBlank @Size(max = 200) String name,
                     @NotNull @Email @Size(max = 320) String email) {
    }

    /** A problem the service declares: its status, type and title. */
    @ProblemType(status = 409, type = "email-taken", title = "E-mail already registered")
    final class EmailTakenException extends ProblemException {
        private static final long serialVersionUID = 1L;

        public EmailTakenException(String detail) {   // the service throws it
            super(detail);
        }

        public EmailTakenException(Problem problem) { // a typed client throws it, with the problem it received
            super(problem);
        }
    }

    @Post("/v1/members")
    @ResponseStatus(201)
    Member register(@Body NewMember member) throws EmailTakenException;

    @Get("/v1/members/{id}")
    Member get(@PathParam("id") @Size(max = 36) String id);
}
// end::contract[]
