package dev.flotilla.sample.gateway;

import java.util.Map;
import java.util.function.Supplier;

import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.UnavailableException;
import dev.flotilla.sample.common.DownstreamAnswers;

/**
 * Turns a downstream service's typed errors into the gateway's own problems. The client's mistakes that the downstream
 * refused (400, 404, 409, 413, 422 and the other 4xx, see {@link DownstreamAnswers}) keep their status, type, title
 * and detail, and nothing else of the downstream's answer (its instance, request id and extension members stay
 * inside); an id that cannot even be sent on (the typed client refuses a path value that is empty, {@code .},
 * {@code ..}, contains {@code /} or is too long) names nothing, 404; a downstream that is down, slow, failing or
 * refusing the gateway itself is a 503 naming it.
 * The problems the called methods declare (a duplicate e-mail, an unknown user) are not
 * {@link ServiceCallException}s: they pass through untouched, and the gateway's methods declare them too.
 */
final class Downstream {
    private Downstream() {
    }

    static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            // Only the typed client's refusal of an argument: the call itself is nothing but the client call.
            throw new NotFoundException("Nothing has this id", e);
        } catch (RemoteProblemException e) {
            if (DownstreamAnswers.refusesTheRequest(e)) {
                Problem problem = e.problem();
                throw new ProblemException(new Problem(problem.type(), problem.title(), problem.status(),
                                                       problem.detail(), null, null, Map.of()), e);
            }
            throw unavailable(e);
        } catch (ServiceCallException e) {
            throw unavailable(e);
        }
    }

    private static UnavailableException unavailable(ServiceCallException e) {
        return new UnavailableException(e.service() + " is unavailable; try again later", e);
    }
}
