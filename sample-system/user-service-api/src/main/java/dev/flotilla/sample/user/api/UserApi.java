package dev.flotilla.sample.user.api;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.Header;
import dev.flotilla.core.http.Idempotent;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;
import dev.flotilla.core.security.Access;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The user-service's HTTP contract: served by the user-service, called by the order-service and the gateway. Its
 * constraints are those of the {@code users} table: ids of at most 36 characters, names of at most 200, e-mail
 * addresses of at most 320.
 *
 * <p>Payments: each user has a credit limit; {@link #charge} adds to the credit used and {@link #refund} gives it
 * back. Both are keyed by an {@code Idempotency-Key} header, so a repeated call has one effect, and only the
 * order-service may call them.
 */
public interface UserApi {
    /** The name of the service that serves this contract: {@value}. */
    String SERVICE = "user-service";
    /**
     * What the user-service accepts as an e-mail address: something, an {@code @}, something with a dot; plausible,
     * not RFC 5322. Surrounding blanks are allowed (they are stripped); it is stored lower-cased.
     */
    String EMAIL = "\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s.]+\\s*";
    /** The only service that may charge and refund: {@value}. */
    String PAYER = "order-service";
    /** What an idempotency key of a payment may hold: 1 to 200 letters, digits, dots, dashes and underscores. */
    String IDEMPOTENCY_KEY = "[A-Za-z0-9._-]{1,200}";

    /**
     * A user.
     *
     * @param id    the id
     * @param name  the name
     * @param email the e-mail address, unique
     */
    record User(@NotNull String id, @NotNull String name, @NotNull String email) {
    }

    /**
     * The body of a registration.
     *
     * @param name  required, not blank, at most 200 characters
     * @param email required, a plausible e-mail address ({@link #EMAIL}), at most 320 characters, not yet registered
     */
    record NewUser(@NotBlank @Size(max = 200) String name,
                   @NotNull @Size(max = 320) @Pattern(regexp = EMAIL, message = "must be an e-mail address")
                   String email) {
    }

    /**
     * Registers a user.
     *
     * @param user the user
     * @return the stored user, with its id (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException for a missing name or an invalid e-mail (400)
     * @throws DuplicateEmailException                          when the e-mail is already registered (409)
     */
    @Post("/v1/users")
    @ResponseStatus(201)
    User register(@Body NewUser user) throws DuplicateEmailException;

    /**
     * A user by id.
     *
     * @param id the id
     * @return the user
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is none (404)
     */
    @Get("/v1/users/{id}")
    User get(@PathParam("id") @Size(max = 36) String id);

    /** Where a payment is. */
    enum PaymentStatus {
        /** Charged: the amount counts against the user's credit. */
        CHARGED,
        /** Charged, then refunded: the amount was given back. */
        REFUNDED,
        /**
         * Refunded before any charge with its key arrived: a tombstone with no amount, so that a late charge with
         * that key is declined instead of taken.
         */
        VOID
    }

    /**
     * The body of a charge.
     *
     * @param orderId     what the charge pays for, at most 36 characters
     * @param amountCents the amount in cents, 0 or more
     */
    record Charge(@NotBlank @Size(max = 36) String orderId, @PositiveOrZero long amountCents) {
    }

    /**
     * The body of a refund.
     *
     * @param orderId what the refunded charge paid for, at most 36 characters (kept on a tombstone when there was no
     *                charge)
     */
    record Refund(@NotBlank @Size(max = 36) String orderId) {
    }

    /**
     * A payment, as stored.
     *
     * @param idempotencyKey the key of its charge
     * @param userId         the user charged
     * @param orderId        what it paid for
     * @param amountCents    the amount (0 for {@link PaymentStatus#VOID})
     * @param status         where it is
     */
    record Payment(@NotNull String idempotencyKey, @NotNull String userId, @NotNull String orderId, long amountCents,
                   @NotNull PaymentStatus status) {
    }

    /**
     * Charges a user: adds the amount to their credit used, if it stays within their credit limit. Calling it again
     * with the same key charges nothing more and answers the stored payment.
     *
     * @param id             the user's id
     * @param idempotencyKey the charge's key ({@link #IDEMPOTENCY_KEY}); the same key is the same charge
     * @param charge         the order and the amount
     * @return the payment, {@link PaymentStatus#CHARGED}
     * @throws PaymentDeclinedException                       when the amount would exceed the credit limit, the key
     *                                                        was refunded or voided, or was used for another payment
     *                                                        (422)
     * @throws dev.flotilla.core.http.RemoteNotFoundException when there is no such user (404)
     */
    @Post("/v1/users/{id}/charges")
    @Idempotent
    @Access(services = PAYER)
    Payment charge(@PathParam("id") @Size(max = 36) String id,
                   @Header("Idempotency-Key") @NotNull @Pattern(regexp = IDEMPOTENCY_KEY) String idempotencyKey,
                   @Body Charge charge) throws PaymentDeclinedException;

    /**
     * Refunds the charge with this key: gives its amount back to the user's credit. Refunding it again changes
     * nothing. Refunding a key that was never charged stores a {@link PaymentStatus#VOID} tombstone, so that the
     * charge, should it still arrive, is declined.
     *
     * @param id             the user's id
     * @param idempotencyKey the key of the charge to refund
     * @param refund         the order the charge paid for
     * @return the payment, {@link PaymentStatus#REFUNDED} or {@link PaymentStatus#VOID}
     */
    @Post("/v1/users/{id}/refunds")
    @Idempotent
    @Access(services = PAYER)
    Payment refund(@PathParam("id") @Size(max = 36) String id,
                   @Header("Idempotency-Key") @NotNull @Pattern(regexp = IDEMPOTENCY_KEY) String idempotencyKey,
                   @Body Refund refund);
}
