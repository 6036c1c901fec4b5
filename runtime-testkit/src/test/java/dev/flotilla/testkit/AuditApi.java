package dev.flotilla.testkit;

import dev.flotilla.core.http.Get;

/** The auditor's contract. */
public interface AuditApi {
    @Get("/v1/audit/count")
    long count();
}
