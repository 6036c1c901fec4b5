package dev.flotilla.core.http;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes calls on a contract proxy to the {@link CallExecutor}, after checking their arguments when the client
 * validates requests; default methods run as written.
 */
final class ContractInvocationHandler implements InvocationHandler {
    private static final Object[] NO_ARGS = new Object[0];
    private final Class<?> contract;
    private final String serviceName;
    private final Map<Method, CallRoute> routes = new HashMap<>();
    private final CallExecutor executor;
    /** Null when calls are not validated before they are sent. */
    private final ContractValidator validator;

    ContractInvocationHandler(Class<?> contract, String serviceName, List<Endpoint> endpoints, CallExecutor executor,
                              ContractValidator validator) {
        this.contract = contract;
        this.serviceName = serviceName;
        endpoints.forEach(e -> this.routes.put(e.method(), executor.route(e)));
        this.executor = executor;
        this.validator = validator;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "toString" -> contract.getSimpleName() + " client of " + serviceName;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> throw new UnsupportedOperationException(method.getName());
            };
        }
        if (method.isDefault()) {
            return MethodHandles.privateLookupIn(contract, MethodHandles.lookup())
                    .unreflectSpecial(method, contract)
                    .bindTo(proxy)
                    .invokeWithArguments(args == null ? new Object[0] : args);
        }
        CallRoute route = routes.get(method);
        Object[] arguments = args == null ? NO_ARGS : args;
        if (validator != null) {
            validator.checkCall(proxy, route.endpoint, arguments, serviceName);
        }
        return executor.invoke(route, arguments);
    }
}
