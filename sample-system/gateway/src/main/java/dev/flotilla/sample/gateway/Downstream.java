package dev.flotilla.sample.gateway;

import java.util.Map;
import java.util.function.Supplier;

import dev.flotilla.core.http.RemoteBadRequestException;
import dev.flotilla.core.http.RemoteConflictException;
import dev.flotilla.core.http.RemoteNotFoundException;
import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.core.problem.ConflictException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.UnavailableException;

/**
 * Turns a downstream service's typed errors into the gateway's own problems: the client's mistakes (4xx) keep their
 * status and detail, a downstream that is down, slow or failing is a 503 naming it. The problems the called methods
 * declare (a duplicate e-mail, an unknown user) are not {@link ServiceCallException}s: they pass through untouched,
 * and the gateway's methods declare them too.
 */
final class Downstream {
    private Downstream() {
    }

    static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (RemoteBadRequestException e) {
            throw new BadRequestException(e.problem().detailText().orElse("Invalid request"));
        } catch (RemoteNotFoundException e) {
            throw new NotFoundException(e.problem().detailText().orElse("Not found"));
        } catch (RemoteConflictException e) {
            throw new ConflictException(e.problem().detailText().orElse("Conflict"));
        } catch (RemoteProblemException e) {
            Problem problem = e.problem();
            if (problem.status() >= 400 && problem.status() < 500) {
                throw new ProblemException(new Problem(problem.type(), problem.title(), problem.status(),
                                                       problem.detail(), null, null, Map.of()));
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
