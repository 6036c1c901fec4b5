package dev.flotilla.core.http;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.validation.Constraint;
import jakarta.validation.Valid;

/**
 * Whether a contract declares any Bean Validation constraint: on a parameter, on a parameter's type arguments, or in
 * the body's types (their fields, type arguments and classes, followed through fields and type arguments). A contract
 * with none is served and called without building a validator.
 */
final class ConstraintScan {
    private ConstraintScan() {
    }

    static boolean constrains(List<Endpoint> endpoints) {
        Set<Class<?>> seen = new HashSet<>();
        for (Endpoint endpoint : endpoints) {
            for (Endpoint.Param param : endpoint.params()) {
                if (marked(param.source().getAnnotations()) || constrains(param.source().getAnnotatedType(), seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A type, its annotations (type use), its type arguments, and for a class of fields, its fields. */
    private static boolean constrains(AnnotatedType type, Set<Class<?>> seen) {
        if (marked(type.getAnnotations())) {
            return true;
        }
        if (type instanceof AnnotatedParameterizedType parameterized) {
            for (AnnotatedType argument : parameterized.getAnnotatedActualTypeArguments()) {
                if (constrains(argument, seen)) {
                    return true;
                }
            }
        }
        if (type instanceof AnnotatedArrayType array && constrains(array.getAnnotatedGenericComponentType(), seen)) {
            return true;
        }
        Class<?> raw = Endpoint.rawClass(type.getType());
        return raw != null && constrains(raw, seen);
    }

    private static boolean constrains(Class<?> type, Set<Class<?>> seen) {
        if (type.isPrimitive() || type.isArray() || type.getName().startsWith("java.") || !seen.add(type)) {
            return false;
        }
        if (marked(type.getAnnotations())) {
            return true;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())
                        && (marked(field.getAnnotations()) || constrains(field.getAnnotatedType(), seen))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether one of the annotations is a constraint (annotated {@link Constraint}, as composed ones are) or {@link Valid}. */
    private static boolean marked(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            Class<? extends Annotation> type = annotation.annotationType();
            if (type == Valid.class || type.isAnnotationPresent(Constraint.class)
                    || type.getEnclosingClass() != null && type.getEnclosingClass().isAnnotationPresent(Constraint.class)) {
                return true;
            }
        }
        return false;
    }
}
