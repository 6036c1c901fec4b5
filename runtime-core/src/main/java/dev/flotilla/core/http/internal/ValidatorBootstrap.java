package dev.flotilla.core.http.internal;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.NotBlank;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.HibernateValidatorConfiguration;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * How contracts' Hibernate Validator is configured, in one place, and a warm-up that loads it ahead of time. The first
 * validator a JVM builds loads about 600 classes (several hundred milliseconds on a cold JVM); a process that serves
 * contracts can do that on another core while the rest of its start runs ({@link #warmUp()}), so the validator the
 * contract needs is then built from loaded classes. Not API: may change without notice. Stateless, thread-safe.
 */
public final class ValidatorBootstrap {
    private ValidatorBootstrap() {
    }

    /**
     * A configuration for a contract's validator: Hibernate Validator without XML configuration and without
     * Jakarta EL (messages interpolated by {@link ParameterMessageInterpolator}, in English).
     *
     * @return a new configuration
     */
    public static HibernateValidatorConfiguration configure() {
        return Validation.byProvider(HibernateValidator.class)
                .providerResolver(() -> List.of(new HibernateValidator()))
                .configure()
                .ignoreXmlConfiguration()
                .messageInterpolator(new ParameterMessageInterpolator(Set.of(Locale.ENGLISH), Locale.ENGLISH, false));
    }

    /**
     * Builds a validator as {@link #configure()} makes it, reads a constrained type's metadata and validates a value
     * of it, then closes it: the classes a contract's validator needs are loaded and initialized afterwards. Never
     * throws: a failure here only means the contract's validator loads them itself.
     */
    public static void warmUp() {
        try (ValidatorFactory factory = configure().buildValidatorFactory()) {
            factory.getValidator().validate(new Sample(""));
            factory.getValidator().forExecutables();
        } catch (RuntimeException | LinkageError e) {
            // Nothing is lost: the contract's own validator is built (and reports its problems) as usual.
        }
    }

    /** A constrained value to validate. */
    private record Sample(@NotBlank String name) {
    }
}
