package dev.flotilla.core.security;

import java.util.List;

import dev.flotilla.core.http.Body;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.Post;

/** A contract with one method per kind of access rule. */
public interface VaultApi {
    /** Who the vault saw calling. */
    record Seen(String user, String service, List<String> roles) {
    }

    /** A body, to show that refusal comes before binding. */
    record Secret(String name) {
    }

    // tag::access[]
    @Get("/public")
    @Anonymous
    Seen open();

    /** Declares nothing: open while security is off, authenticated callers only while it is on. */
    @Get("/me")
    Seen me();

    @Get("/operate")
    @Access(roles = {"operator", "admin"})
    Seen operate();

    @Get("/read")
    @Access(scopes = "vault:read")
    Seen read();

    @Post("/secrets")
    @Access(roles = "operator")
    Seen store(@Body Secret secret);

    @Get("/internal")
    @Access(services = "order-service")
    Seen internal();
    // end::access[]
}
