package ${package};

import ${package}.api.${classPrefix}Api;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.problem.BadRequestException;
import dev.flotilla.messaging.Messaging;

/** Implements {@link ${classPrefix}Api}. Handlers run on virtual threads: blocking code is fine. */
final class ${classPrefix}Resource implements ${classPrefix}Api {
    private final String salutation;
    private final ServiceContext context;

    ${classPrefix}Resource(String salutation, ServiceContext context) {
        this.salutation = salutation;
        this.context = context;
    }

    @Override
    public Greeting greet(GreetingRequest request) {
        if (request.name() == null || request.name().isBlank()) {
            throw new BadRequestException("Field 'name' is required");   // a 400 problem+json answer
        }
        Greeting greeting = new Greeting(request.name(), salutation + ", " + request.name() + "!");
        context.extension(Messaging.class).publish(GREETED, greeting);
        return greeting;
    }
}
