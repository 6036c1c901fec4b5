package dev.flotilla.core.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.ProblemType;

/**
 * The problems one contract method declares in its {@code throws} clause, parsed and checked once: for each, the
 * exception class, its problem (status, type and title) and the constructor a client makes it with. Immutable.
 */
final class DeclaredProblems {
    private static final DeclaredProblems NONE = new DeclaredProblems(List.of());

    /**
     * A declared problem: the exception class, its problem (without detail) and its constructor taking a
     * {@link Problem}, as {@code (Problem)ProblemException}.
     */
    record Declared(Class<? extends ProblemException> exception, Problem problem, MethodHandle constructor) {
    }

    private final List<Declared> all;

    private DeclaredProblems(List<Declared> all) {
        this.all = all;
    }

    /**
     * The problems a method declares: every {@link ProblemException} subclass in its {@code throws} clause, which
     * must be annotated {@link ProblemType} and have a public constructor taking a {@link Problem}. Other exception
     * types in the clause are left alone.
     */
    static DeclaredProblems of(Method method) {
        List<Declared> problems = new ArrayList<>();
        Map<URI, String> types = new HashMap<>();
        for (Class<?> thrown : method.getExceptionTypes()) {
            if (!ProblemException.class.isAssignableFrom(thrown)) {
                continue;
            }
            String name = thrown.getSimpleName();
            ProblemType type = thrown.getAnnotation(ProblemType.class);
            if (type == null) {
                throw Endpoint.error(method, "Declared exception " + name + " must be annotated @ProblemType(status, type, "
                        + "title) to be answered and told apart by clients, or left out of the throws clause.");
            }
            Problem problem;
            try {
                problem = Problem.of(type, null);
            } catch (IllegalArgumentException e) {
                throw Endpoint.error(method, "Declared exception " + name + " has an invalid @ProblemType: " + e.getMessage()
                        + ".");
            }
            MethodHandle constructor;
            try {
                constructor = MethodHandles.publicLookup()
                        .findConstructor(thrown, MethodType.methodType(void.class, Problem.class))
                        .asType(MethodType.methodType(ProblemException.class, Problem.class));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                throw Endpoint.error(method, "Declared exception " + name + " needs a public constructor taking a Problem, "
                        + "such as public " + name + "(Problem problem) { super(problem); }, so a client can throw it"
                        + " (the class must be public, in a package its module exports).");
            }
            String other = types.putIfAbsent(problem.type(), name);
            if (other != null) {
                throw Endpoint.error(method, "Declared exceptions " + other + " and " + name + " have the same problem type "
                        + problem.type() + ": a client could not tell them apart.");
            }
            problems.add(new Declared(thrown.asSubclass(ProblemException.class), problem, constructor));
        }
        return problems.isEmpty() ? NONE : new DeclaredProblems(List.copyOf(problems));
    }

    /** The declared problems, in the order of the {@code throws} clause; empty when none. */
    List<Declared> all() {
        return all;
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    /**
     * The declared exception for a received problem: the one whose type is the problem's, made with the problem
     * without its extension members. What a declared problem means is its type, title, status and detail; the
     * downstream's extension members stay with this client, so a service that passes the problem on hands out
     * nothing else of another service's answer (the instance and request id it answers with are its own).
     *
     * @return the exception, or {@code null} when the method declares no problem of that type
     */
    ProblemException exceptionFor(Problem received) {
        for (Declared declared : all) {
            if (declared.problem().type().equals(received.type())) {
                try {
                    Problem declaredPart = new Problem(received.type(), received.title(), received.status(),
                                                       received.detail(), received.instance(),
                                                       received.requestId(), java.util.Map.of());
                    return (ProblemException) declared.constructor().invokeExact(declaredPart);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }
        }
        return null;
    }

    /** Whether the method declares this exception's class (or a superclass of it). */
    boolean declares(ProblemException e) {
        for (Declared declared : all) {
            if (declared.exception().isInstance(e)) {
                return true;
            }
        }
        return false;
    }
}
