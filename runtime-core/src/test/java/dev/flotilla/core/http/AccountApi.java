package dev.flotilla.core.http;

import java.util.List;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** A contract with constraints on its parameters and records, and the problems it declares. */
public interface AccountApi {
    /** An address: a nested record, validated where a field marks it {@code @Valid}. */
    record Address(@NotBlank @Size(max = 100) String street, @Pattern(regexp = "[0-9]{5}") String zip) {
    }

    /** The body of an opening. */
    record NewAccount(@NotBlank @Size(max = 20) String name,
                      @NotNull @Email @Size(max = 320) String email,
                      @Min(18) @Max(150) int age,
                      @Valid Address address,
                      @Size(max = 3) List<@NotBlank @Size(max = 10) String> tags,
                      String nickname) {
    }

    /** An account. */
    record Account(long id, String name, String email, String nickname) {
    }

    /** The e-mail is taken. */
    @ProblemType(status = 409, type = "duplicate-account", title = "Account already exists")
    final class DuplicateAccountException extends ProblemException {
        private static final long serialVersionUID = 1L;

        public DuplicateAccountException(String detail) {
            super(detail);
        }

        public DuplicateAccountException(Problem problem) {
            super(problem);
        }
    }

    /** No account with that id. */
    @ProblemType(status = 422, type = "unknown-account", title = "Unknown account")
    final class UnknownAccountException extends ProblemException {
        private static final long serialVersionUID = 1L;

        public UnknownAccountException(String detail) {
            super(detail);
        }

        public UnknownAccountException(Problem problem) {
            super(problem);
        }
    }

    /** The account is closed already. */
    @ProblemType(status = 422, type = "account-closed", title = "Account closed")
    final class AccountClosedException extends ProblemException {
        private static final long serialVersionUID = 1L;

        public AccountClosedException(String detail) {
            super(detail);
        }

        public AccountClosedException(Problem problem) {
            super(problem);
        }
    }

    @Post("/v1/accounts")
    @ResponseStatus(201)
    Account open(@Body NewAccount account) throws DuplicateAccountException;

    @Get("/v1/accounts/{id}")
    Account get(@PathParam("id") @Positive long id,
                @Query("view") @Pattern(regexp = "short|full") String view,
                @Header("X-Tenant") @Size(max = 8) String tenant) throws UnknownAccountException;

    @Get("/v1/accounts")
    List<Account> search(@Query("name") @NotBlank @Size(max = 20) String name,
                         @Query("limit") @Min(1) @Max(100) int limit,
                         @Query("tag") @Size(max = 3) List<@Size(max = 10) String> tags);

    @Post("/v1/accounts/{id}/close")
    void close(@PathParam("id") long id) throws UnknownAccountException, AccountClosedException;

    /** Throws a declared problem of another method, which it does not declare itself. */
    @Get("/v1/accounts/{id}/leaky")
    Account leaky(@PathParam("id") long id);
}
