package ${package}.api;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Post;
import dev.flotilla.core.http.ResponseStatus;

/**
 * The HTTP contract of the ${rootArtifactId}-service, and the event it publishes. Other services call it with
 * {@code context.client(${classPrefix}Api.class, ${classPrefix}Api.SERVICE)}.
 */
public interface ${classPrefix}Api {
    /** The name of the service that serves this contract. */
    String SERVICE = "${rootArtifactId}-service";

    /** The subject of the event published for each greeting: {@code <context>.<event>.v<N>}. */
    String GREETED = "${rootArtifactId}.greeted.v1";

    /**
     * Whom to greet.
     *
     * @param name required, not blank
     */
    record GreetingRequest(String name) {
    }

    /**
     * A greeting: the answer, and the event published on {@link #GREETED}.
     *
     * @param name    whom it greets
     * @param message the greeting
     */
    record Greeting(String name, String message) {
    }

    /**
     * Greets someone, and announces it on {@link #GREETED}.
     *
     * @param request whom to greet
     * @return the greeting (201)
     * @throws dev.flotilla.core.http.RemoteBadRequestException when the name is missing or blank (400)
     */
    @Post("/v1/greetings")
    @ResponseStatus(201)
    Greeting greet(@Body GreetingRequest request);
}
