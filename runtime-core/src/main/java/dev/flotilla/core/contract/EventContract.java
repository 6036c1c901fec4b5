package dev.flotilla.core.contract;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.core.http.Sunset;
import dev.flotilla.core.schema.JsonSchemas;

/**
 * One event subject a service publishes or consumes, with the JSON Schema of its payload. Subjects carry their
 * major version at the end: {@code <context>.<event>.v<N>}, such as {@code orders.order-placed.v1}. Immutable.
 *
 * @param subject    the subject, such as {@code orders.order-placed.v1}
 * @param direction  whether the service publishes or consumes it
 * @param schema     the JSON Schema (draft 2020-12) of the payload; a copy is kept
 * @param deprecated whether this version of the event is deprecated
 * @param sunset     the date after which it may be removed; empty when none was given
 */
public record EventContract(String subject, Direction direction, JsonNode schema, boolean deprecated,
                            Optional<LocalDate> sunset) {
    private static final Pattern VERSIONED = Pattern.compile(".+\\.v[1-9][0-9]*");

    /** Whether a service publishes or consumes a subject. */
    public enum Direction {
        /** The service publishes the event: its consumers read the schema. */
        PUBLISHES,
        /** The service consumes the event: its publishers must keep writing what it reads. */
        CONSUMES
    }

    /**
     * Validates and copies the members.
     *
     * @throws NullPointerException if an argument is {@code null}
     */
    public EventContract {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(sunset, "sunset");
        schema = schema.deepCopy();
        deprecated = deprecated || sunset.isPresent();
    }

    /** {@return a copy of the JSON Schema (draft 2020-12) of the payload} */
    @Override
    public JsonNode schema() {
        return schema.deepCopy();
    }

    /**
     * The contract of an event type the service publishes. The type is deprecated when it carries
     * {@link Deprecated} or {@link Sunset}.
     *
     * @param subject the subject, ending in its version, such as {@code orders.order-placed.v1}
     * @param type    the payload's record type
     * @return the contract
     * @throws IllegalArgumentException if the subject does not end in {@code .v<N>}, has wildcards, or the
     *                                  type's {@code @Sunset} date is malformed
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static EventContract publishes(String subject, Class<?> type) {
        return of(subject, Direction.PUBLISHES, type);
    }

    /**
     * The contract of an event type the service consumes.
     *
     * @param subject the subject, ending in its version
     * @param type    the payload type the service decodes to
     * @return the contract
     * @throws IllegalArgumentException as for {@link #publishes(String, Class)}
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static EventContract consumes(String subject, Class<?> type) {
        return of(subject, Direction.CONSUMES, type);
    }

    private static EventContract of(String subject, Direction direction, Class<?> type) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(type, "type");
        if (!VERSIONED.matcher(subject).matches() || subject.contains("*") || subject.contains(">")) {
            throw new IllegalArgumentException("Event subject '" + subject + "' must be concrete and end in its "
                    + "major version, such as orders.order-placed.v1");
        }
        Sunset sunset = type.getAnnotation(Sunset.class);
        Optional<LocalDate> date = Optional.empty();
        if (sunset != null) {
            try {
                date = Optional.of(LocalDate.parse(sunset.value()));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("@Sunset of " + type.getName() + " must be a date such as "
                        + "2027-06-30, was \"" + sunset.value() + "\"", e);
            }
        }
        return new EventContract(subject, direction, JsonSchemas.of(type), type.isAnnotationPresent(Deprecated.class),
                                 date);
    }
}
