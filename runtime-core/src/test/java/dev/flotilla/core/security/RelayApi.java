package dev.flotilla.core.security;

import dev.flotilla.core.http.Get;

/** What a calling service serves: each method calls the vault with its typed client and returns what it saw. */
public interface RelayApi {
    @Get("/relay/me")
    @Anonymous
    VaultApi.Seen me();

    @Get("/relay/internal")
    @Anonymous
    VaultApi.Seen internal();
}
