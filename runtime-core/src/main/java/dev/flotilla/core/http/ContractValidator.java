package dev.flotilla.core.http;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.http.internal.ValidatorBootstrap;
import dev.flotilla.core.problem.ProblemException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Valid;
import jakarta.validation.ValidationException;
import jakarta.validation.Validator;
import jakarta.validation.executable.ExecutableValidator;
import jakarta.validation.metadata.MethodDescriptor;
import jakarta.validation.metadata.ParameterDescriptor;
import org.hibernate.validator.HibernateValidatorConfiguration;
import org.hibernate.validator.cfg.ConstraintMapping;
import org.hibernate.validator.cfg.context.TypeConstraintMappingContext;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Bean Validation (Hibernate Validator) of the calls of one contract: the constraints declared on its methods'
 * parameters, and on the body, which is always validated as a bean (cascaded, whether or not the parameter is marked
 * {@link Valid}); inside the body, nested records and lists are validated where their fields are marked {@code @Valid},
 * as Bean Validation does. Made once per served contract or typed client. Messages are interpolated without Jakarta
 * EL ({@link ParameterMessageInterpolator}: {@code {max}} is replaced, {@code ${...}} expressions are not), in
 * English.
 *
 * <p>Constraints are read from the contract interface, never from an implementation: the arguments are validated
 * against a proxy of the interface, on the served side as on the calling side, so both apply the same rules.
 *
 * <p>Thread-safe.
 */
final class ContractValidator {
    /** The type of the problem a served contract answers for invalid arguments: {@code urn:flotilla:problem:...}. */
    static final String PROBLEM_TYPE = "invalid-request";
    static final String PROBLEM_TITLE = "Invalid Request";
    /** At most this many violations are listed in one answer: a huge invalid list must not make a huge answer. */
    static final int MAX_ERRORS = 100;
    /** At most this many are repeated in the problem's {@code detail}; {@code errors} has them all (up to the max). */
    private static final int MAX_IN_DETAIL = 10;

    private final Class<?> contract;
    /** Null when the contract has no constraint at all. */
    private final ExecutableValidator validator;
    /** The methods with anything to validate: a method with no constraint costs nothing per call. */
    private final Set<Method> constrained;
    /** A proxy of the contract: the object whose methods' parameters are validated on the served side. */
    private final Object target;

    private ContractValidator(Class<?> contract, ExecutableValidator validator, Set<Method> constrained,
                              Object target) {
        this.contract = contract;
        this.validator = validator;
        this.constrained = constrained;
        this.target = target;
    }

    /**
     * Builds the validator of a contract and reads its constraints now, so a constraint declared where Bean
     * Validation does not allow it fails here.
     *
     * @throws ContractException if the contract's constraints are not valid Bean Validation
     */
    static ContractValidator create(Class<?> contract, List<Endpoint> endpoints) {
        if (!ConstraintScan.constrains(endpoints)) {
            // Nothing to check: no validator is built (the first costs the JVM a second of class loading).
            return new ContractValidator(contract, null, Set.of(), null);
        }
        HibernateValidatorConfiguration config = ValidatorBootstrap.configure();
        // The body is validated as a bean without @Valid on the parameter: marked cascaded here, per declaring type.
        ConstraintMapping mapping = config.createConstraintMapping();
        Map<Class<?>, TypeConstraintMappingContext<?>> types = new LinkedHashMap<>();
        boolean cascades = false;
        for (Endpoint endpoint : endpoints) {
            Method method = endpoint.method();
            List<Endpoint.Param> params = endpoint.params();
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i).kind() == Endpoint.ParamKind.BODY
                        && !params.get(i).source().isAnnotationPresent(Valid.class)) {
                    types.computeIfAbsent(method.getDeclaringClass(), mapping::type)
                            .method(method.getName(), method.getParameterTypes()).parameter(i).valid();
                    cascades = true;
                }
            }
        }
        if (cascades) {
            config.addMapping(mapping);
        }
        Object target = Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[] {contract},
                (p, m, a) -> switch (m.getName()) {
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == a[0];
                    case "toString" -> contract.getSimpleName() + " (validated)";
                    default -> throw new UnsupportedOperationException("only validated against");
                });
        Validator validator;
        Set<Method> constrained = new HashSet<>();
        try {
            validator = config.buildValidatorFactory().getValidator();
            Class<?> proxy = target.getClass();
            for (Endpoint endpoint : endpoints) {
                Method method = endpoint.method();
                MethodDescriptor descriptor = validator.getConstraintsForClass(proxy)
                        .getConstraintsForMethod(method.getName(), method.getParameterTypes());
                if (descriptor != null && validates(validator, endpoint, descriptor)) {
                    constrained.add(method);
                }
            }
        } catch (ValidationException e) {
            throw new ContractException("The constraints of " + contract.getName() + " are not valid Bean Validation: "
                                                + e.getMessage());
        }
        return new ContractValidator(contract, validator.forExecutables(), Set.copyOf(constrained), target);
    }

    /** Whether a call has anything to check: a constrained parameter, or a body whose type has constraints. */
    private static boolean validates(Validator validator, Endpoint endpoint, MethodDescriptor descriptor) {
        if (descriptor.getCrossParameterDescriptor().hasConstraints()) {
            return true;
        }
        for (ParameterDescriptor parameter : descriptor.getParameterDescriptors()) {
            if (parameter.hasConstraints() || !parameter.getConstrainedContainerElementTypes().isEmpty()) {
                return true;
            }
            if (parameter.isCascaded()) {
                Endpoint.Param param = endpoint.params().get(parameter.getIndex());
                Class<?> bean = Endpoint.rawClass(innermost(param.type()));
                if (bean == null || validator.getConstraintsForClass(bean).isBeanConstrained()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The element type of nested containers (the record of a {@code List<Item>} body), or the type itself. */
    private static Type innermost(Type type) {
        Type current = type;
        for (int depth = 0; depth < 8; depth++) {
            Class<?> raw = Endpoint.rawClass(current);
            if (raw == null || !(raw.isArray() || Iterable.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)
                    || raw == Optional.class || current instanceof GenericArrayType)) {
                return current;
            }
            current = element(current);
        }
        return current;
    }

    /**
     * The served side: checks the bound arguments before the implementation runs.
     *
     * @throws ProblemException 400 {@code urn:flotilla:problem:invalid-request}, naming every violation in the
     *                          extension member {@code errors} (up to {@value #MAX_ERRORS})
     */
    void checkServed(Endpoint endpoint, Object[] args) {
        if (!constrained.contains(endpoint.method())) {
            return;
        }
        Set<ConstraintViolation<Object>> violations = validator.validateParameters(target, endpoint.method(), args);
        if (violations.isEmpty()) {
            return;
        }
        List<Map<String, Object>> errors = errors(endpoint, violations);
        Problem problem = Problem.of(PROBLEM_TYPE, 400, PROBLEM_TITLE, "Invalid request: " + summary(errors))
                .withExtension("errors", errors);
        throw new ProblemException(problem);
    }

    /**
     * The calling side: checks a call's arguments before anything is sent.
     *
     * @throws ConstraintViolationException naming every violation, with the violations
     */
    void checkCall(Object proxy, Endpoint endpoint, Object[] args, String service) {
        if (!constrained.contains(endpoint.method())) {
            return;
        }
        Set<ConstraintViolation<Object>> violations = validator.validateParameters(proxy, endpoint.method(), args);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(
                    "Invalid request to " + service + " (" + contract.getSimpleName() + "." + endpoint.method().getName()
                            + "), not sent: " + summary(errors(endpoint, violations)), violations);
        }
    }

    /**
     * The violations as the {@code errors} member: {@code {"pointer": "#/items/0/quantity", "detail": ...}} for the
     * body, {@code {"parameter": "id", "in": "path", "detail": ...}} for other parameters; in parameter order, then
     * by pointer.
     */
    static List<Map<String, Object>> errors(Endpoint endpoint, Set<? extends ConstraintViolation<?>> violations) {
        record Entry(int index, String where, Map<String, Object> error) {
        }
        List<Entry> entries = new ArrayList<>();
        for (ConstraintViolation<?> violation : violations) {
            int index = -1;
            Type type = null;
            StringBuilder pointer = new StringBuilder("#");
            for (Path.Node node : violation.getPropertyPath()) {
                if (node.getKind() == ElementKind.PARAMETER) {
                    index = node.as(Path.ParameterNode.class).getParameterIndex();
                    type = index < endpoint.params().size() ? endpoint.params().get(index).type() : Object.class;
                    continue;
                }
                if (index < 0 || node.getKind() == ElementKind.METHOD || node.getKind() == ElementKind.CROSS_PARAMETER) {
                    continue;
                }
                if (node.isInIterable()) {
                    Object key = node.getIndex() != null ? node.getIndex() : node.getKey();
                    type = element(type);
                    if (key != null) {
                        pointer.append('/').append(escape(String.valueOf(key)));
                    }
                }
                if (node.getKind() == ElementKind.PROPERTY) {
                    Field field = field(Endpoint.rawClass(type), node.getName());
                    pointer.append('/').append(escape(jsonName(field, node.getName())));
                    type = field == null ? Object.class : field.getGenericType();
                }
            }
            Map<String, Object> error = new LinkedHashMap<>();
            String where;
            Endpoint.Param param = index >= 0 && index < endpoint.params().size() ? endpoint.params().get(index) : null;
            if (param == null || param.kind() == Endpoint.ParamKind.BODY) {
                where = pointer.toString();
                error.put("pointer", where);
            } else {
                where = param.name();
                error.put("parameter", param.name());
                error.put("in", switch (param.kind()) {
                    case PATH -> "path";
                    case QUERY -> "query";
                    default -> "header";
                });
            }
            error.put("detail", violation.getMessage());
            entries.add(new Entry(index, where, error));
        }
        entries.sort(Comparator.comparingInt(Entry::index).thenComparing(Entry::where)
                             .thenComparing(e -> String.valueOf(e.error().get("detail"))));
        return entries.stream().limit(MAX_ERRORS).map(Entry::error).toList();
    }

    /** The errors in one line: {@code name: must not be blank; query parameter 'limit': must be ...}. */
    static String summary(List<Map<String, Object>> errors) {
        StringJoiner text = new StringJoiner("; ", "", ".");
        int listed = 0;
        for (Map<String, Object> error : errors) {
            if (listed++ == MAX_IN_DETAIL) {
                text.add("and " + (errors.size() - MAX_IN_DETAIL) + " more (see errors)");
                break;
            }
            Object pointer = error.get("pointer");
            String where;
            if (pointer != null) {
                where = pointer.equals("#") ? "body" : pointer.toString().substring(2);
            } else {
                where = error.get("in") + " parameter '" + error.get("parameter") + "'";
            }
            text.add(where + ": " + error.get("detail"));
        }
        return text.toString();
    }

    /** The type of a container's elements (an array's, a collection's, an Optional's, a map's values). */
    private static Type element(Type type) {
        if (type instanceof GenericArrayType array) {
            return array.getGenericComponentType();
        }
        Class<?> raw = Endpoint.rawClass(type);
        if (raw != null && raw.isArray()) {
            return raw.getComponentType();
        }
        if (type instanceof ParameterizedType parameterized) {
            Type[] arguments = parameterized.getActualTypeArguments();
            return raw != null && Map.class.isAssignableFrom(raw) && arguments.length == 2 ? arguments[1]
                    : arguments[0];
        }
        return Object.class;
    }

    /** The field (or record component's field) of that name, in the class or its superclasses; null if none. */
    private static Field field(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        return null;
    }

    /** The field's name in JSON: its {@code @JsonProperty} name when it has one, else its Java name. */
    private static String jsonName(Field field, String name) {
        JsonProperty property = field == null ? null : field.getAnnotation(JsonProperty.class);
        return property == null || property.value().isEmpty() ? name : property.value();
    }

    /** JSON Pointer escaping (RFC 6901). */
    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
