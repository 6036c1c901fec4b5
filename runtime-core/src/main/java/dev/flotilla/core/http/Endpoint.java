package dev.flotilla.core.http;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One method of a contract interface, parsed and checked once: its HTTP method and path, how each parameter binds,
 * and what it returns. Immutable.
 */
final class Endpoint {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_-]*)}");

    enum ParamKind { PATH, QUERY, HEADER, BODY }

    /** What a method returns, once a {@code CompletableFuture} around it is taken off. */
    enum ReturnKind { VOID, VALUE, OPTIONAL, LIST, RESULT }

    /**
     * A parameter: how it binds, under which name, its type (the element type of a repeated query parameter), and
     * the reflected parameter, whose annotations carry its constraints.
     */
    record Param(ParamKind kind, String name, Type type, Class<?> rawType, boolean multiple, Parameter source) {
    }


    /**
     * Why and until when a method is deprecated: from {@link Sunset} or {@link Deprecated} on the method or its
     * interface.
     *
     * @param sunset the sunset date; {@code null} when none was given
     * @param since  the date it was deprecated on; {@code null} when none was given
     */
    record Deprecation(LocalDate sunset, LocalDate since) {
    }

    private final Method method;
    private final String httpMethod;
    private final String path;
    private final List<Param> params;
    private final ReturnKind returnKind;
    private final boolean async;
    private final Type entityType;
    private final int responseStatus;
    private final boolean idempotent;
    private final io.helidon.common.GenericType<?> entityGenericType;
    private final Deprecation deprecation;
    private final DeclaredProblems problems;
    private final AccessRule access;

    private Endpoint(Method method, String httpMethod, String path, List<Param> params, ReturnKind returnKind,
                     boolean async, Type entityType, int responseStatus, boolean idempotent,
                     Deprecation deprecation, DeclaredProblems problems) {
        this.method = method;
        this.httpMethod = httpMethod;
        this.path = path;
        this.params = params;
        this.returnKind = returnKind;
        this.async = async;
        this.entityType = entityType;
        this.responseStatus = responseStatus;
        this.idempotent = idempotent;
        this.entityGenericType = io.helidon.common.GenericType.create(entityType);
        this.deprecation = deprecation;
        this.problems = problems;
        this.access = AccessRule.of(method);
    }

    /** Parses every abstract method of a contract interface; default and static methods are left alone. */
    static List<Endpoint> parseContract(Class<?> contract) {
        if (!contract.isInterface()) {
            throw new ContractException("A contract must be an interface, " + contract.getName() + " is not.");
        }
        if (contract.getTypeParameters().length > 0) {
            throw new ContractException("A contract interface must not have type parameters: " + contract.getName());
        }
        List<Endpoint> endpoints = new ArrayList<>();
        Set<String> routes = new LinkedHashSet<>();
        for (Method method : contract.getMethods()) {
            if (method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            Endpoint endpoint = parse(method);
            String route = endpoint.httpMethod + " " + PLACEHOLDER.matcher(endpoint.path).replaceAll("{}");
            if (!routes.add(route)) {
                throw error(method, "Another method of this contract is already mapped to " + route + ".");
            }
            endpoints.add(endpoint);
        }
        if (endpoints.isEmpty()) {
            throw new ContractException("Contract " + contract.getName() + " declares no HTTP methods.");
        }
        return List.copyOf(endpoints);
    }

    static Endpoint parse(Method method) {
        String httpMethod = null;
        String path = null;
        for (Annotation annotation : method.getAnnotations()) {
            String verb = null;
            String value = null;
            if (annotation instanceof Get a) {
                verb = "GET";
                value = a.value();
            } else if (annotation instanceof Post a) {
                verb = "POST";
                value = a.value();
            } else if (annotation instanceof Put a) {
                verb = "PUT";
                value = a.value();
            } else if (annotation instanceof Patch a) {
                verb = "PATCH";
                value = a.value();
            } else if (annotation instanceof Delete a) {
                verb = "DELETE";
                value = a.value();
            }
            if (verb != null) {
                if (httpMethod != null) {
                    throw error(method, "Only one HTTP method is allowed, found @" + capitalize(httpMethod)
                            + " and @" + capitalize(verb) + ".");
                }
                httpMethod = verb;
                path = value;
            }
        }
        if (httpMethod == null) {
            throw error(method, "HTTP method annotation is required (e.g., @Get, @Post, @Put, @Patch, @Delete).");
        }
        if (path.isEmpty() || path.charAt(0) != '/' || path.contains("?") || path.contains("#")) {
            throw error(method, "Path must start with '/' and have no query or fragment, was \"" + path + "\".");
        }
        Set<String> placeholders = new LinkedHashSet<>();
        Matcher matcher = PLACEHOLDER.matcher(path);
        while (matcher.find()) {
            if (!placeholders.add(matcher.group(1))) {
                throw error(method, "Path \"" + path + "\" names {" + matcher.group(1) + "} twice.");
            }
        }
        if (path.replaceAll(PLACEHOLDER.pattern(), "").matches(".*[{}].*")) {
            throw error(method, "Path \"" + path + "\" has a malformed {placeholder}.");
        }

        List<Param> params = new ArrayList<>();
        Set<String> bound = new LinkedHashSet<>();
        Parameter[] parameters = method.getParameters();
        Type[] types = method.getGenericParameterTypes();
        boolean hasBody = false;
        for (int i = 0; i < parameters.length; i++) {
            Parameter parameter = parameters[i];
            Param param = parseParam(method, parameter, types[i], path);
            if (param.kind() == ParamKind.BODY) {
                if (hasBody) {
                    throw error(method, parameter, "Only one @Body parameter is allowed.");
                }
                if (httpMethod.equals("GET")) {
                    throw error(method, parameter, "A GET cannot have a @Body.");
                }
                hasBody = true;
            }
            if (param.kind() == ParamKind.PATH) {
                if (!placeholders.contains(param.name())) {
                    throw error(method, parameter, "@PathParam(\"" + param.name() + "\") names no {" + param.name()
                            + "} in the path \"" + path + "\".");
                }
                if (!bound.add(param.name())) {
                    throw error(method, parameter, "Path variable {" + param.name() + "} is bound twice.");
                }
            }
            params.add(param);
        }
        for (String placeholder : placeholders) {
            if (!bound.contains(placeholder)) {
                throw error(method, "Path variable {" + placeholder + "} has no @PathParam(\"" + placeholder
                        + "\") parameter.");
            }
        }

        Type returnType = method.getGenericReturnType();
        boolean async = false;
        if (rawClass(returnType) == CompletableFuture.class) {
            async = true;
            returnType = typeArgument(method, returnType);
        }
        ReturnKind kind;
        Type entityType;
        Class<?> raw = rawClass(returnType);
        if (raw == void.class || raw == Void.class) {
            kind = ReturnKind.VOID;
            entityType = Void.class;
        } else if (raw == Optional.class) {
            kind = ReturnKind.OPTIONAL;
            entityType = typeArgument(method, returnType);
        } else if (raw == List.class) {
            kind = ReturnKind.LIST;
            typeArgument(method, returnType);
            entityType = returnType;
        } else if (raw == HttpResult.class) {
            kind = ReturnKind.RESULT;
            entityType = typeArgument(method, returnType);
        } else if (raw == null || raw == Object.class || Collection.class.isAssignableFrom(raw)
                || java.util.concurrent.Future.class.isAssignableFrom(raw)) {
            throw error(method, "Return type " + returnType.getTypeName() + " is not supported: use a value type, "
                    + "Optional<T>, List<T>, void, HttpResult<T>, or a CompletableFuture of one of these.");
        } else {
            kind = ReturnKind.VALUE;
            entityType = returnType;
        }
        int status = 0;
        ResponseStatus responseStatus = method.getAnnotation(ResponseStatus.class);
        if (responseStatus != null) {
            if (responseStatus.value() < 200 || responseStatus.value() > 299) {
                throw error(method, "@ResponseStatus must be a success status (200 to 299), was "
                        + responseStatus.value() + ".");
            }
            if (kind == ReturnKind.RESULT) {
                throw error(method, "@ResponseStatus cannot be used with HttpResult, which sets its own status.");
            }
            status = responseStatus.value();
        }
        boolean idempotent = switch (httpMethod) {
            case "GET", "PUT", "DELETE" -> true;
            default -> method.isAnnotationPresent(Idempotent.class);
        };
        return new Endpoint(method, httpMethod, path, List.copyOf(params), kind, async, entityType, status,
                            idempotent, deprecation(method), DeclaredProblems.of(method));
    }

    /** The method's own marking wins over its interface's; {@code null} when neither is deprecated. */
    private static Deprecation deprecation(Method method) {
        Sunset sunset = method.getAnnotation(Sunset.class);
        boolean deprecated = method.isAnnotationPresent(Deprecated.class);
        if (sunset == null && !deprecated) {
            sunset = method.getDeclaringClass().getAnnotation(Sunset.class);
            deprecated = method.getDeclaringClass().isAnnotationPresent(Deprecated.class);
        }
        if (sunset == null) {
            return deprecated ? new Deprecation(null, null) : null;
        }
        return new Deprecation(date(method, sunset.value(), "@Sunset"),
                               sunset.deprecatedOn().isEmpty() ? null
                                       : date(method, sunset.deprecatedOn(), "@Sunset(deprecatedOn)"));
    }

    private static LocalDate date(Method method, String text, String what) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw error(method, what + " must be a date such as 2027-06-30, was \"" + text + "\".");
        }
    }

    private static Param parseParam(Method method, Parameter parameter, Type type, String path) {
        List<Param> found = new ArrayList<>();
        Class<?> raw = rawClass(type);
        for (Annotation annotation : parameter.getAnnotations()) {
            if (annotation instanceof PathParam a) {
                found.add(new Param(ParamKind.PATH, a.value(), type, raw, false, parameter));
            } else if (annotation instanceof Query a) {
                boolean multiple = raw != null && Collection.class.isAssignableFrom(raw);
                Type element = multiple ? typeArgument(method, type) : type;
                found.add(new Param(ParamKind.QUERY, a.value(), element, rawClass(element), multiple, parameter));
            } else if (annotation instanceof Header a) {
                found.add(new Param(ParamKind.HEADER, a.value(), type, raw, false, parameter));
            } else if (annotation instanceof Body) {
                found.add(new Param(ParamKind.BODY, "body", type, raw, false, parameter));
            }
        }
        if (found.isEmpty()) {
            throw error(method, parameter, "Parameter has no binding annotation (@PathParam, @Query, @Header or @Body).");
        }
        if (found.size() > 1) {
            throw error(method, parameter, "Parameter has more than one binding annotation.");
        }
        Param param = found.getFirst();
        if (param.kind() != ParamKind.BODY) {
            if (param.name().isBlank()) {
                throw error(method, parameter, "The name of a @" + simpleName(param.kind()) + " must not be blank.");
            }
            if (!ValueConverter.supports(param.rawType())) {
                throw error(method, parameter, "Type " + param.type().getTypeName() + " cannot be written as text in a "
                        + simpleName(param.kind()) + ": use String, a number, boolean, UUID, an enum, or a type with "
                        + "a static valueOf(String).");
            }
        }
        return param;
    }

    private static String simpleName(ParamKind kind) {
        return switch (kind) {
            case PATH -> "PathParam";
            case QUERY -> "Query";
            case HEADER -> "Header";
            case BODY -> "Body";
        };
    }

    private static Type typeArgument(Method method, Type type) {
        if (type instanceof ParameterizedType parameterized) {
            Type argument = parameterized.getActualTypeArguments()[0];
            if (argument instanceof WildcardType || argument instanceof java.lang.reflect.TypeVariable<?>) {
                throw error(method, "Type " + type.getTypeName() + " must name a concrete type argument.");
            }
            return argument;
        }
        throw error(method, "Type " + type.getTypeName() + " needs a type argument, such as "
                + type.getTypeName() + "<User>.");
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return null;
    }

    private static String capitalize(String verb) {
        return verb.charAt(0) + verb.substring(1).toLowerCase(java.util.Locale.ROOT);
    }

    static ContractException error(Method method, String message) {
        return new ContractException(message + "\n    for method " + method.getDeclaringClass().getSimpleName() + "."
                                             + method.getName());
    }

    static ContractException error(Method method, Parameter parameter, String message) {
        return new ContractException(message + "\n    for method " + method.getDeclaringClass().getSimpleName() + "."
                                             + method.getName() + " (parameter '" + parameter.getName() + "')");
    }

    Method method() {
        return method;
    }

    String httpMethod() {
        return httpMethod;
    }

    String path() {
        return path;
    }

    List<Param> params() {
        return params;
    }

    ReturnKind returnKind() {
        return returnKind;
    }

    boolean async() {
        return async;
    }

    /** The type of the body: the value type, the element of Optional or HttpResult, or the whole List type. */
    Type entityType() {
        return entityType;
    }

    /** {@link #entityType()} as Helidon's media type token, made once. */
    io.helidon.common.GenericType<?> entityGenericType() {
        return entityGenericType;
    }

    /** The success status a served method answers with; 0 for the default (200, or 204 without a body). */
    int responseStatus() {
        return responseStatus;
    }

    boolean idempotent() {
        return idempotent;
    }

    /** The deprecation of this method; empty when it is not deprecated. */
    Optional<Deprecation> deprecation() {
        return Optional.ofNullable(deprecation);
    }

    /** The problems the method declares in its {@code throws} clause. */
    DeclaredProblems problems() {
        return problems;
    }

    /** Who may call the method, from {@code @Access} and {@code @Anonymous}. */
    AccessRule access() {
        return access;
    }

    /** The operation's name in documents, metrics and logs: {@code GET /v1/items/{id}}. */
    String operation() {
        return httpMethod + " " + path;
    }

    @Override
    public String toString() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName() + " (" + httpMethod + " " + path
                + ")";
    }
}
