package dev.flotilla.core.problem;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problem a {@link ProblemException} subclass stands for: its status, type and title. Such an exception can be
 * <em>declared</em> by a contract method, in its {@code throws} clause, as an answer the method may give:
 *
 * <pre>{@code
 * @ProblemType(status = 409, type = "duplicate-email", title = "E-mail already registered")
 * public final class DuplicateEmailException extends ProblemException {
 *     public DuplicateEmailException(String detail) {
 *         super(detail);                      // the problem this annotation describes, with the detail
 *     }
 *
 *     public DuplicateEmailException(Problem problem) {
 *         super(problem);                     // required: how a typed client rebuilds it from a received answer
 *     }
 * }
 *
 * @Post("/v1/users")
 * User register(@Body NewUser user) throws DuplicateEmailException;
 * }</pre>
 *
 * The served method answers it as any {@code ProblemException}; the published OpenAPI document lists the status
 * under the operation with this type and title; and a typed client that receives a problem of this type from that
 * method throws this exception (made through its public constructor taking a {@link Problem}) instead of a
 * {@code RemoteProblemException}. A subclass stands for the same problem (the annotation is inherited). See {@link dev.flotilla.core.http.RemoteProblemException} for what that means for
 * a caller that lets it escape.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ProblemType {
    /**
     * The HTTP status, 400 to 599.
     *
     * @return the status
     */
    int status();

    /**
     * The problem type: a short name such as {@code duplicate-email}, which becomes
     * {@code urn:flotilla:problem:duplicate-email}, or an absolute URI (anything with a {@code :}), used as it is.
     * Unique among the problems one method declares; a client tells them apart by it.
     *
     * @return the type
     */
    String type();

    /**
     * The short, stable summary of the problem, such as {@code E-mail already registered}.
     *
     * @return the title
     */
    String title();
}
