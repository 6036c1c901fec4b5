package dev.flotilla.testkit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.problem.ConflictException;
import dev.flotilla.core.problem.NotFoundException;
import io.helidon.webserver.http.HttpRules;

/**
 * Serves {@link ThingApi}, breaking it on purpose: creating a thing named {@value #TAKEN} answers 409, which the
 * contract does not declare, and the thing {@value #NAMELESS} has a {@code null} name, which its schema does not
 * allow. Also serves a hand-written route, {@code GET /v1/teapot}, which answers 418 and is not in the contract.
 */
final class ThingService extends Service {
    static final String NAME = "thing-service";
    static final String TAKEN = "taken";
    static final String NAMELESS = "nameless";

    ThingService() {
        super(NAME, "1.0.0");
    }

    @Override
    protected void routes(HttpRules rules, ServiceContext context) {
        Map<String, ThingApi.Thing> things = new ConcurrentHashMap<>();
        rules.register(HttpContracts.serve(ThingApi.class, new ThingApi() {
            @Override
            public Thing create(NewThing thing) {
                if (TAKEN.equals(thing.name())) {
                    throw new ConflictException("A thing named '" + TAKEN + "' exists already.");
                }
                Thing created = new Thing(String.valueOf(things.size() + 1), thing.name(), thing.quantity());
                things.put(created.id(), created);
                return created;
            }

            @Override
            public Thing get(String id) {
                if (NAMELESS.equals(id)) {
                    return new Thing(id, null, 1);
                }
                Thing found = things.get(id);
                if (found == null) {
                    throw new NotFoundException("No thing " + id + ".");
                }
                return found;
            }
        }));
        rules.get("/v1/teapot", (req, res) -> res.status(418).send("I'm a teapot"));
    }
}
