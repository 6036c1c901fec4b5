package dev.flotilla.core.http;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Parameter;
import java.math.BigDecimal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.core.schema.JsonSchemas;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Negative;
import jakarta.validation.constraints.NegativeOrZero;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The Jakarta Validation constraints of a path, query or header parameter as JSON Schema keywords of its schema in
 * the OpenAPI document, the same keywords {@link JsonSchemas} gives record fields: {@code minLength},
 * {@code maxLength} and an anchored {@code pattern} for text, {@code minimum}/{@code maximum} (exclusive where the
 * constraint is) for numbers, {@code minItems}/{@code maxItems} for a repeated query parameter.
 */
final class ParameterConstraints {
    private ParameterConstraints() {
    }

    /** Whether a constraint refuses a missing value, so the parameter is required. */
    static boolean refusesAbsence(Parameter parameter) {
        return parameter.isAnnotationPresent(NotNull.class) || parameter.isAnnotationPresent(NotBlank.class)
                || parameter.isAnnotationPresent(NotEmpty.class);
    }

    /** The annotations of a repeated query parameter's elements: {@code List<@Size(max = 20) String>}. */
    static Annotation[] elementAnnotations(Parameter parameter) {
        AnnotatedType type = parameter.getAnnotatedType();
        if (type instanceof AnnotatedParameterizedType parameterized
                && parameterized.getAnnotatedActualTypeArguments().length == 1) {
            return parameterized.getAnnotatedActualTypeArguments()[0].getAnnotations();
        }
        return new Annotation[0];
    }

    /** Adds the keywords of the constraints that apply to the schema's type; a {@code $ref} schema is left alone. */
    static void apply(ObjectNode schema, Annotation[] annotations) {
        String type = schema.path("type").asText("");
        for (Annotation annotation : annotations) {
            switch (type) {
                case "string" -> text(schema, annotation);
                case "integer", "number" -> number(schema, annotation);
                case "array" -> array(schema, annotation);
                default -> {
                    // an enum or another type by reference: its own schema says what it accepts
                }
            }
        }
    }

    private static void text(ObjectNode schema, Annotation annotation) {
        if (annotation instanceof Size size) {
            if (size.min() > 0) {
                schema.put("minLength", size.min());
            }
            if (size.max() < Integer.MAX_VALUE) {
                schema.put("maxLength", size.max());
            }
        } else if (annotation instanceof NotBlank || annotation instanceof NotEmpty) {
            if (schema.path("minLength").asInt(0) < 1) {
                schema.put("minLength", 1);
            }
        } else if (annotation instanceof Pattern pattern) {
            schema.put("pattern", JsonSchemas.anchored(pattern.regexp()));
        } else if (annotation instanceof Email) {
            schema.put("format", "email");
        }
    }

    private static void number(ObjectNode schema, Annotation annotation) {
        if (annotation instanceof Min min) {
            schema.put("minimum", min.value());
        } else if (annotation instanceof Max max) {
            schema.put("maximum", max.value());
        } else if (annotation instanceof DecimalMin min) {
            schema.put(min.inclusive() ? "minimum" : "exclusiveMinimum", new BigDecimal(min.value()));
        } else if (annotation instanceof DecimalMax max) {
            schema.put(max.inclusive() ? "maximum" : "exclusiveMaximum", new BigDecimal(max.value()));
        } else if (annotation instanceof Positive) {
            schema.put("exclusiveMinimum", 0);
        } else if (annotation instanceof PositiveOrZero) {
            schema.put("minimum", 0);
        } else if (annotation instanceof Negative) {
            schema.put("exclusiveMaximum", 0);
        } else if (annotation instanceof NegativeOrZero) {
            schema.put("maximum", 0);
        }
    }

    private static void array(ObjectNode schema, Annotation annotation) {
        if (annotation instanceof Size size) {
            if (size.min() > 0) {
                schema.put("minItems", size.min());
            }
            if (size.max() < Integer.MAX_VALUE) {
                schema.put("maxItems", size.max());
            }
        } else if (annotation instanceof NotEmpty) {
            schema.put("minItems", 1);
        }
    }
}
