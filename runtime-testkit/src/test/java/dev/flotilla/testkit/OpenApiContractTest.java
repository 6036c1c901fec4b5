package dev.flotilla.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.flotilla.testkit.ExchangeCapture.Body;
import dev.flotilla.testkit.ExchangeCapture.Exchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The check of one exchange against a hand-written OpenAPI 3.1 document: what the runtime's generator does not write
 * yet (type arrays for nullable members, status ranges, {@code default}) is checked as the dialect says.
 */
class OpenApiContractTest {
    private static final String JSON = "application/json";
    private static final String PROBLEM = "application/problem+json";
    private static final String DOCUMENT = """
            {
              "openapi": "3.1.0",
              "info": {"title": "user-service", "version": "1"},
              "paths": {
                "/api/v1/users": {
                  "post": {
                    "requestBody": {"required": true,
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewUser"}}}},
                    "responses": {
                      "201": {"description": "made",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                      "400": {"$ref": "#/components/responses/BadRequest"},
                      "409": {"$ref": "#/components/responses/Conflict"}
                    }
                  },
                  "get": {
                    "responses": {
                      "2XX": {"description": "the users",
                        "content": {"application/json": {"schema": {"type": "array",
                          "items": {"$ref": "#/components/schemas/User"}}}}}
                    }
                  }
                },
                "/api/v1/users/me": {
                  "get": {"responses": {"204": {"description": "nobody"}}}
                },
                "/api/v1/users/{id}": {
                  "get": {
                    "responses": {
                      "200": {"description": "the user",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                      "default": {"$ref": "#/components/responses/Conflict"}
                    }
                  },
                  "delete": {"responses": {"204": {"description": "gone"}}}
                }
              },
              "components": {
                "schemas": {
                  "NewUser": {"type": "object", "properties": {"email": {"type": "string", "minLength": 3}},
                              "required": ["email"]},
                  "User": {"type": "object",
                           "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                                          "nickname": {"type": ["string", "null"]},
                                          "roles": {"type": "array", "items": {"enum": ["ADMIN", "BUYER"]}}},
                           "required": ["id", "email"]},
                  "Problem": {"type": "object", "properties": {"status": {"type": "integer"}},
                              "required": ["status"]}
                },
                "responses": {
                  "BadRequest": {"description": "bad", "content": {"application/problem+json": {
                                 "schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "Conflict": {"description": "taken", "content": {"application/problem+json": {
                               "schema": {"$ref": "#/components/schemas/Problem"}}}}
                }
              }
            }
            """;
    private static final OpenApiContract CONTRACT = OpenApiContract.parse("user-service", DOCUMENT);

    private static Body body(String text) {
        return new Body(text.getBytes(StandardCharsets.UTF_8), false);
    }

    private static List<String> answer(String method, String path, int status, String contentType, String body) {
        return CONTRACT.check(new Exchange("user-service", method, path, status, contentType,
                                           body == null ? Body.NONE : body(body), null, Body.NONE));
    }

    @Test
    void anUndeclaredStatusNamesTheDeclaredOnes() {
        assertEquals(List.of("user-service answered 422 to POST /api/v1/users, which its contract does not declare "
                                     + "(declared: 201, 400, 409)"),
                     answer("POST", "/api/v1/users", 422, PROBLEM, "{\"status\":422}"));
    }

    @Test
    void typeArraysAllowNullWhereTheyListIt() {
        assertEquals(List.of(), answer("POST", "/api/v1/users", 201, JSON,
                                       "{\"id\":1,\"email\":\"ada@example.com\",\"nickname\":null}"));
        assertEquals(List.of(), answer("POST", "/api/v1/users", 201, JSON,
                                       "{\"id\":1,\"email\":\"ada@example.com\",\"nickname\":\"ada\"}"));
        assertEquals(List.of("user-service answered 201 to POST /api/v1/users with a body that does not match "
                                     + "#/components/schemas/User: $.email: null found, string expected; "
                                     + "$.nickname: integer found, [string, null] expected"),
                     answer("POST", "/api/v1/users", 201, JSON, "{\"id\":1,\"email\":null,\"nickname\":7}"));
    }

    @Test
    void schemaMismatchesNameTheJsonPathInsideArrays() {
        assertEquals(List.of("user-service answered 200 to GET /api/v1/users with a body that does not match an "
                                     + "array of #/components/schemas/User: $[1].roles[0]: does not have a value in "
                                     + "the enumeration [\"ADMIN\", \"BUYER\"]; $[1]: required property 'id' not "
                                     + "found"),
                     answer("GET", "/api/v1/users", 200, JSON, "[{\"id\":1,\"email\":\"a@example.com\"},"
                            + "{\"email\":\"b@example.com\",\"roles\":[\"ROOT\"]}]"));
    }

    @Test
    void statusRangesAndDefaultCoverTheirStatuses() {
        assertEquals(List.of(), answer("GET", "/api/v1/users", 206, JSON, "[]"));
        assertEquals(List.of(), answer("GET", "/api/v1/users/7", 503, PROBLEM, "{\"status\":503}"));
        assertEquals(List.of("user-service answered 503 to GET /api/v1/users/{id} with a body that does not match "
                                     + "#/components/schemas/Problem: $: required property 'status' not found"),
                     answer("GET", "/api/v1/users/7", 503, PROBLEM, "{}"));
    }

    @Test
    void theContentTypeMustBeOneTheResponseDeclares() {
        assertEquals(List.of(), answer("POST", "/api/v1/users", 409, PROBLEM + "; charset=UTF-8", "{\"status\":409}"));
        assertEquals(List.of("user-service answered 409 to POST /api/v1/users as application/json, but its contract "
                                     + "declares application/problem+json"),
                     answer("POST", "/api/v1/users", 409, JSON, "{\"status\":409}"));
        assertEquals(List.of("user-service answered 201 to POST /api/v1/users without a body, but its contract "
                                     + "declares application/json"),
                     answer("POST", "/api/v1/users", 201, null, null));
        assertEquals(List.of("user-service answered 204 to DELETE /api/v1/users/{id} with a body, but its contract "
                                     + "declares none"),
                     answer("DELETE", "/api/v1/users/7", 204, JSON, "{}"));
        List<String> notJson = answer("POST", "/api/v1/users", 201, JSON, "{\"id\":1");
        assertEquals(1, notJson.size());
        assertTrue(notJson.get(0).startsWith("user-service answered 201 to POST /api/v1/users with a body that is not "
                                                     + "JSON (Unexpected end-of-input"), notJson.get(0));
    }

    @Test
    void literalPathsWinOverTemplatesAndOtherPathsAreNotOperations() {
        assertEquals(List.of(), answer("GET", "/api/v1/users/me", 204, null, null));
        assertEquals(List.of(), answer("GET", "/api/v1/users/7/avatar", 418, "image/png", "png"));
        assertEquals(List.of(), answer("PUT", "/api/v1/users/7", 405, PROBLEM, "{\"status\":405}"));
        assertEquals(List.of(), answer("GET", "/health", 200, JSON, "{\"status\":\"UP\"}"));
    }

    @Test
    void aRequestBodyIsCheckedWhenTheServiceAcceptedIt() {
        Exchange accepted = new Exchange("user-service", "POST", "/api/v1/users", 201, JSON,
                                         body("{\"id\":1,\"email\":\"ab\"}"), JSON, body("{\"email\":\"ab\"}"));
        assertEquals(List.of("user-service accepted (201) a request to POST /api/v1/users with a request body that "
                                     + "does not match #/components/schemas/NewUser: $.email: must be at least 3 "
                                     + "characters long"), CONTRACT.check(accepted));
        Exchange refused = new Exchange("user-service", "POST", "/api/v1/users", 400, PROBLEM,
                                        body("{\"status\":400}"), JSON, body("{\"email\":\"ab\"}"));
        assertEquals(List.of(), CONTRACT.check(refused));
    }

    @Test
    void aDocumentThatIsNotOpenApi31IsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenApiContract.parse("old-service", "{\"swagger\":\"2.0\"}"));
        assertEquals("The contract of old-service is not an OpenAPI 3.1 document", e.getMessage());
    }
}
