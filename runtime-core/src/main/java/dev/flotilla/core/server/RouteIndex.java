package dev.flotilla.core.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.helidon.common.uri.UriFragment;
import io.helidon.common.uri.UriPath;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * Remembers the routes a service declares, so that a request whose path exists under another method gets
 * 405 with an {@code Allow} header instead of 404. Helidon's routing itself only knows "not found".
 *
 * <p>Routes declared inside an {@link HttpService} registered under a path pattern with parameters (such as
 * {@code /users/{id}}) are not indexed: a wrong method there answers 404.
 */
final class RouteIndex {
    private static final List<Method> METHODS = List.of(Method.GET, Method.HEAD, Method.POST, Method.PUT,
                                                         Method.PATCH, Method.DELETE, Method.OPTIONS);

    private record Entry(String prefix, HttpRoute route) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final Consumer<HttpService> onRegister;

    RouteIndex() {
        this(s -> { });
    }

    /** An index that also tells {@code onRegister} of every HTTP service registered, at any depth. */
    RouteIndex(Consumer<HttpService> onRegister) {
        this.onRegister = onRegister;
    }

    /** Rules that record every route into this index and pass it on to {@code delegate}. */
    HttpRules recording(HttpRules delegate) {
        return new RecordingRules(delegate, "");
    }

    /** The methods under which some route accepts {@code path}; empty when none does. */
    Set<Method> allowedMethods(String path) {
        Set<Method> allowed = new LinkedHashSet<>();
        for (Entry entry : entries) {
            String remainder = remainder(entry.prefix(), path);
            if (remainder == null) {
                continue;
            }
            UriPath uriPath = UriPath.create(remainder);
            for (Method method : METHODS) {
                HttpPrologue prologue = HttpPrologue.create("HTTP/1.1", "HTTP", "1.1", method, uriPath,
                                                            UriQuery.empty(), UriFragment.empty());
                if (entry.route().accepts(prologue).accepted()) {
                    allowed.add(method);
                }
            }
        }
        return allowed;
    }

    private static String remainder(String prefix, String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        if (!path.startsWith(prefix)) {
            return null;
        }
        String rest = path.substring(prefix.length());
        if (rest.isEmpty()) {
            return "/";
        }
        return rest.startsWith("/") ? rest : null;
    }

    private static boolean literal(String pattern) {
        return pattern.indexOf('{') < 0 && pattern.indexOf('*') < 0 && pattern.indexOf('[') < 0;
    }

    private final class RecordingRules implements HttpRules {
        private final HttpRules delegate;
        private final String prefix;
        private final boolean indexed;

        private RecordingRules(HttpRules delegate, String prefix) {
            this.delegate = delegate;
            this.prefix = prefix;
            this.indexed = prefix != null;
        }

        @Override
        public HttpRules register(HttpService... services) {
            delegate.register(wrap(prefix, services));
            return this;
        }

        @Override
        public HttpRules register(String pathPattern, HttpService... services) {
            String nested = (prefix == null || !literal(pathPattern)) ? null : join(prefix, pathPattern);
            delegate.register(pathPattern, wrap(nested, services));
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            if (indexed) {
                entries.add(new Entry(prefix, route));
            }
            delegate.route(route);
            return this;
        }

        @Override
        public HttpRules route(Supplier<? extends HttpRoute> route) {
            return route(route.get());
        }

        private HttpService[] wrap(String nestedPrefix, HttpService... services) {
            HttpService[] wrapped = new HttpService[services.length];
            for (int i = 0; i < services.length; i++) {
                HttpService service = services[i];
                onRegister.accept(service);
                wrapped[i] = new HttpService() {
                    @Override
                    public void routing(HttpRules rules) {
                        service.routing(new RecordingRules(rules, nestedPrefix));
                    }

                    @Override
                    public void beforeStart() {
                        service.beforeStart();
                    }

                    @Override
                    public void afterStop() {
                        service.afterStop();
                    }
                };
            }
            return wrapped;
        }

        private static String join(String prefix, String path) {
            String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            if (!p.startsWith("/")) {
                p = "/" + p;
            }
            return prefix + p;
        }
    }
}
