package dev.flotilla.core.http;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * What the calls of one contract method share, prepared once: the HTTP method, the path template split at its
 * placeholders, the span name, the names of header parameters; and, made at first use, the policy sets, the JSON
 * reader of the return type and the metric timers.
 */
final class CallRoute {
    final Endpoint endpoint;
    final io.helidon.http.Method method;
    final String spanName;
    /** The literal parts of the path template: one more than {@link #pathArgs}. */
    final String[] pathParts;
    /** For each placeholder, in order, the index of the argument it takes its value from. */
    final int[] pathArgs;
    /** Per argument: the header it is sent as, or null for other kinds of parameter. */
    final HeaderName[] headerNames;
    final boolean hasHeaders;
    /** Whether the method sends an {@code Authorization} header of its own: then no user token is forwarded. */
    final boolean setsAuthorization;
    volatile CallPolicies policies;
    private volatile ClientMetrics.Timers timers;
    /** The reader of the return type, or {@link #NO_READER} when the mapper cannot read it; null until known. */
    private volatile Object reader;

    private static final Object NO_READER = new Object();

    CallRoute(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.method = io.helidon.http.Method.create(endpoint.httpMethod());
        this.spanName = endpoint.httpMethod() + " " + endpoint.path();
        List<Endpoint.Param> params = endpoint.params();
        List<String> parts = new ArrayList<>();
        List<Integer> args = new ArrayList<>();
        String path = endpoint.path();
        int from = 0;
        int open = path.indexOf('{');
        while (open >= 0) {
            int close = path.indexOf('}', open);
            if (close < 0) {
                break;
            }
            int arg = pathArg(params, path.substring(open + 1, close));
            if (arg < 0) {
                // Not a parameter: left in the path as it is written.
                open = path.indexOf('{', close);
                continue;
            }
            parts.add(path.substring(from, open));
            args.add(arg);
            from = close + 1;
            open = path.indexOf('{', from);
        }
        parts.add(path.substring(from));
        this.pathParts = parts.toArray(String[]::new);
        this.pathArgs = args.stream().mapToInt(Integer::intValue).toArray();
        this.headerNames = new HeaderName[params.size()];
        boolean headers = false;
        boolean authorization = false;
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).kind() == Endpoint.ParamKind.HEADER) {
                headerNames[i] = HeaderNames.create(params.get(i).name());
                headers = true;
                authorization |= params.get(i).name().equalsIgnoreCase("Authorization");
            }
        }
        this.hasHeaders = headers;
        this.setsAuthorization = authorization;
    }

    private static int pathArg(List<Endpoint.Param> params, String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).kind() == Endpoint.ParamKind.PATH && params.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    ClientMetrics.Timers timers(ClientMetrics metrics) {
        ClientMetrics.Timers t = timers;
        if (t == null) {
            t = metrics.timers(endpoint.method().getName());
            timers = t;
        }
        return t;
    }

    /**
     * The mapper's reader of the return type, or null when the mapper cannot read it (left to Helidon). Decided
     * with {@code canDeserialize}, as Helidon's Jackson support decides whether it reads a type.
     */
    @SuppressWarnings("deprecation")
    ObjectReader reader(ObjectMapper json) {
        Object r = reader;
        if (r == null) {
            JavaType type = json.constructType(endpoint.entityType());
            r = json.canDeserialize(type) ? json.readerFor(type) : NO_READER;
            reader = r;
        }
        return r instanceof ObjectReader objectReader ? objectReader : null;
    }
}
