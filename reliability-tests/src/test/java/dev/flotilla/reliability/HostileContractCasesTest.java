package dev.flotilla.reliability;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generator of {@link HostileContractsTest} on a document that publishes every kind of constraint it reads, so
 * its cases are known right before any service publishes such constraints: each bound at, inside and outside, and
 * the rest of the body valid.
 */
class HostileContractCasesTest {
    private static final String DOCUMENT = """
            {"openapi": "3.1.0",
             "paths": {
               "/v1/things": {"post": {"requestBody": {"required": true, "content": {"application/json": {
                   "schema": {"$ref": "#/components/schemas/NewThing"}}}}}},
               "/v1/things/{id}": {"get": {"parameters": [
                   {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 36}},
                   {"name": "limit", "in": "query", "required": true,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]}}},
             "components": {"schemas": {
               "NewThing": {"type": "object", "required": ["name", "count"], "properties": {
                 "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
                 "count": {"type": "integer", "minimum": 1, "maximum": 10},
                 "kind": {"type": "string", "enum": ["SMALL", "LARGE"]},
                 "note": {"type": ["string", "null"]},
                 "tags": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "string"}},
                 "owner": {"$ref": "#/components/schemas/Owner"}}},
               "Owner": {"type": "object", "required": ["email"], "properties": {
                 "email": {"type": "string", "format": "email", "maxLength": 20}}}}}}
            """;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyPublishedConstraintIsTestedAtInsideAndOutside() throws Exception {
        List<ContractCases.Case> cases = ContractCases.of("things", json.readTree(DOCUMENT), Map.of(), json);

        JsonNode valid = body(only(cases, "a valid body"));
        assertEquals(5, valid.path("name").asText().length(), "a valid name within its bounds: " + valid);
        assertTrue(valid.path("name").asText().matches("[a-z]+"), valid.toString());

        assertName(cases, "name: maxLength 5 (at)", 5, ContractCases.Expect.NOT_5XX);
        assertName(cases, "name: maxLength 5 (inside)", 4, ContractCases.Expect.NOT_5XX);
        assertName(cases, "name: maxLength 5 (outside)", 6, ContractCases.Expect.REJECTED);
        assertName(cases, "name: minLength 2 (at)", 2, ContractCases.Expect.NOT_5XX);
        assertName(cases, "name: minLength 2 (outside)", 1, ContractCases.Expect.REJECTED);
        ContractCases.Case pattern = only(cases, "name: pattern (outside): ''");
        assertEquals(ContractCases.Expect.REJECTED, pattern.expect());

        assertCount(cases, "count: minimum 1 (at)", 1, ContractCases.Expect.NOT_5XX);
        assertCount(cases, "count: minimum 1 (inside)", 2, ContractCases.Expect.NOT_5XX);
        assertCount(cases, "count: minimum 1 (outside)", 0, ContractCases.Expect.REJECTED);
        assertCount(cases, "count: maximum 10 (at)", 10, ContractCases.Expect.NOT_5XX);
        assertCount(cases, "count: maximum 10 (outside)", 11, ContractCases.Expect.REJECTED);

        assertEquals("NOT_ONE_OF_THEM", body(only(cases, "kind: enum (outside)")).path("kind").asText());
        assertEquals(ContractCases.Expect.REJECTED, only(cases, "name: missing").expect());
        assertEquals(ContractCases.Expect.REJECTED, only(cases, "count: null").expect());
        assertEquals(ContractCases.Expect.NOT_5XX, only(cases, "note: null").expect(), "nullable");
        assertEquals(ContractCases.Expect.NOT_5XX, only(cases, "kind: missing").expect(), "optional");
        assertEquals(0, body(only(cases, "tags: minItems 1 (outside)")).path("tags").size());
        assertEquals(4, body(only(cases, "tags: maxItems 3 (outside)")).path("tags").size());

        JsonNode email = body(only(cases, "owner.email: maxLength 20 (outside)"));
        assertEquals(21, email.path("owner").path("email").asText().length());
        assertEquals("not-a-email", body(only(cases, "owner.email: format email (outside)"))
                .path("owner").path("email").asText());
        assertEquals(ContractCases.Expect.REJECTED, only(cases, "owner.email: missing").expect());

        String deep = text(only(cases, "count: nested 10000 deep"));
        assertTrue(deep.contains("[".repeat(10_000) + "1" + "]".repeat(10_000)), "nested where count goes");

        ContractCases.Case tooLong = only(cases, "id: maxLength 36 (outside)");
        assertTrue(text(tooLong).startsWith("GET /v1/things/" + "a".repeat(30)), text(tooLong));
        assertEquals(ContractCases.Expect.REJECTED, tooLong.expect());
        assertTrue(text(only(cases, "limit: minimum 1 (outside)")).startsWith("GET /v1/things/"));
        assertTrue(text(only(cases, "limit: minimum 1 (outside)")).contains("?limit=0 "));
        assertEquals(ContractCases.Expect.REJECTED, only(cases, "limit: missing").expect());
    }

    private void assertName(List<ContractCases.Case> cases, String what, int length, ContractCases.Expect expect)
            throws Exception {
        ContractCases.Case c = only(cases, what);
        JsonNode body = body(c);
        assertEquals(length, body.path("name").asText().length(), what + ": " + body);
        assertEquals(expect, c.expect(), what);
        assertTrue(body.path("count").asInt() >= 1 && body.path("count").asInt() <= 10,
                   "the other fields stay valid: " + body);
    }

    private void assertCount(List<ContractCases.Case> cases, String what, int count, ContractCases.Expect expect)
            throws Exception {
        ContractCases.Case c = only(cases, what);
        assertEquals(count, body(c).path("count").asInt(), what);
        assertEquals(expect, c.expect(), what);
    }

    private static ContractCases.Case only(List<ContractCases.Case> cases, String what) {
        List<ContractCases.Case> found = cases.stream().filter(c -> c.what().equals(what)).toList();
        assertEquals(1, found.size(), () -> "one case '" + what + "' in "
                + cases.stream().map(ContractCases.Case::what).toList());
        return found.getFirst();
    }

    private JsonNode body(ContractCases.Case c) throws Exception {
        String text = text(c);
        return json.readTree(text.substring(text.indexOf("\r\n\r\n") + 4));
    }

    private static String text(ContractCases.Case c) {
        return new String(c.request(), StandardCharsets.UTF_8);
    }
}
