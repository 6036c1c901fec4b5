package dev.flotilla.core.http;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.UUID;

/** Converts path, query and header values between text and their parameter types. */
final class ValueConverter {
    private ValueConverter() {
    }

    static boolean supports(Class<?> type) {
        if (type == null) {
            return false;
        }
        if (type == String.class || type.isPrimitive() && type != void.class || type == Integer.class
                || type == Long.class || type == Short.class || type == Byte.class || type == Double.class
                || type == Float.class || type == Boolean.class || type == Character.class || type == UUID.class
                || type.isEnum()) {
            return true;
        }
        return valueOf(type) != null;
    }

    private static Method valueOf(Class<?> type) {
        try {
            Method m = type.getMethod("valueOf", String.class);
            return Modifier.isStatic(m.getModifiers()) && type.isAssignableFrom(m.getReturnType()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** Text to value; throws IllegalArgumentException with a reason a caller can read. */
    static Object fromText(String text, Class<?> type) {
        try {
            if (type == String.class) {
                return text;
            }
            if (type == int.class || type == Integer.class) {
                return Integer.valueOf(text.trim());
            }
            if (type == long.class || type == Long.class) {
                return Long.valueOf(text.trim());
            }
            if (type == short.class || type == Short.class) {
                return Short.valueOf(text.trim());
            }
            if (type == byte.class || type == Byte.class) {
                return Byte.valueOf(text.trim());
            }
            if (type == double.class || type == Double.class) {
                return Double.valueOf(text.trim());
            }
            if (type == float.class || type == Float.class) {
                return Float.valueOf(text.trim());
            }
            if (type == boolean.class || type == Boolean.class) {
                if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    return Boolean.valueOf(text);
                }
                throw new IllegalArgumentException("expected true or false");
            }
            if (type == char.class || type == Character.class) {
                if (text.length() != 1) {
                    throw new IllegalArgumentException("expected a single character");
                }
                return text.charAt(0);
            }
            if (type == UUID.class) {
                return UUID.fromString(text);
            }
            if (type.isEnum()) {
                for (Object constant : type.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equalsIgnoreCase(text)) {
                        return constant;
                    }
                }
                throw new IllegalArgumentException("expected one of " + java.util.Arrays.toString(type.getEnumConstants()));
            }
            return valueOf(type).invoke(null, text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number of type " + type.getSimpleName(), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName(), e);
        }
    }

    static String toText(Object value) {
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return String.valueOf(value);
    }
}
