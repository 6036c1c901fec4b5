package dev.flotilla.core.contract;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.flotilla.core.http.AccountApi;
import dev.flotilla.core.http.CatalogApi;
import dev.flotilla.core.http.HttpContracts;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.flotilla.core.http.ResponseStatus;
import dev.flotilla.core.http.HttpResult;
import dev.flotilla.core.problem.Problem;

/** The OpenAPI document generated from contract interfaces, checked field by field and against the OAS 3.1 schema. */
class OpenApiDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final ObjectNode document = HttpContracts.openApi(
            "catalog-service", "1.2.3",
            List.of(CatalogApi.class, ProductApiV1.class, ProductApiV2.class, AccountApi.class));

    @Test
    void validatesAgainstTheOpenApi31Schema() throws IOException {
        JsonNode oas;
        try (InputStream in = getClass().getResourceAsStream("/openapi/oas-3.1-schema.json")) {
            oas = JSON.readTree(in);
        }
        Set<ValidationMessage> errors = SCHEMAS.getSchema(oas).validate(document);
        assertEquals(Set.of(), errors, document.toPrettyString());
        assertEquals("3.1.0", document.path("openapi").asText());
    }

    @Test
    void everyComponentSchemaIsValidJsonSchema202012() {
        JsonSchema metaSchema = SCHEMAS.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        List<String> invalid = new ArrayList<>();
        document.path("components").path("schemas").properties().forEach(e -> {
            Set<ValidationMessage> errors = metaSchema.validate(e.getValue());
            if (!errors.isEmpty()) {
                invalid.add(e.getKey() + ": " + errors);
            }
        });
        assertEquals(List.of(), invalid);
    }

    @Test
    void describesParametersOfEveryKind() {
        JsonNode list = document.at("/paths/~1v1~1items/get");
        assertEquals("CatalogApi.list", list.path("operationId").asText());
        assertEquals(List.of("CatalogApi"), List.of(list.path("tags").get(0).asText()));
        JsonNode name = list.path("parameters").get(0);
        assertEquals("name", name.path("name").asText());
        assertEquals("query", name.path("in").asText());
        assertFalse(name.path("required").asBoolean(), "a String query parameter is optional");
        assertEquals("string", name.at("/schema/type").asText());
        JsonNode tags = list.path("parameters").get(1);
        assertEquals("array", tags.at("/schema/type").asText(), "a List query parameter repeats");
        assertEquals("string", tags.at("/schema/items/type").asText());
        JsonNode tenant = list.path("parameters").get(2);
        assertEquals("header", tenant.path("in").asText());
        assertEquals("X-Tenant", tenant.path("name").asText());

        JsonNode id = document.at("/paths/~1v1~1items~1{id}/get/parameters/0");
        assertEquals("path", id.path("in").asText());
        assertTrue(id.path("required").asBoolean());
        assertEquals("integer", id.at("/schema/type").asText());
        assertTrue(document.at("/paths/~1v1~1slow/get/parameters/0/required").asBoolean(),
                   "a primitive query parameter is required: the server answers 400 without it");
    }

    @Test
    void describesBodiesAndSuccessResponsesOfEveryReturnKind() {
        JsonNode create = document.at("/paths/~1v1~1items/post");
        assertTrue(create.at("/requestBody/required").asBoolean());
        assertEquals("#/components/schemas/CatalogApi.NewItem",
                     create.at("/requestBody/content/application~1json/schema/$ref").asText());
        assertEquals("#/components/schemas/CatalogApi.Item",
                     create.at("/responses/201/content/application~1json/schema/$ref").asText(), "@ResponseStatus");
        assertEquals("array", document.at("/paths/~1v1~1items/get/responses/200/content/application~1json/schema/type")
                .asText(), "List<T>");
        assertTrue(document.at("/paths/~1v1~1items~1{id}/delete/responses/204").isObject(), "void");
        assertTrue(document.at("/paths/~1v1~1items~1{id}/patch/responses/2XX").isObject(), "HttpResult");
        assertEquals("#/components/schemas/CatalogApi.Item", document.at(
                "/paths/~1v1~1async~1items~1{id}/get/responses/200/content/application~1json/schema/$ref").asText(),
                     "CompletableFuture<T> is T");
        assertEquals("#/components/responses/NotFound",
                     document.at("/paths/~1v1~1items~1{id}~1maybe/get/responses/404/$ref").asText(), "Optional<T>");
        String map = document.at("/paths/~1v1~1echo~1{text}/get/responses/200/content/application~1json/schema/$ref")
                .asText().substring("#/components/schemas/".length());
        assertEquals("string", document.path("components").path("schemas").path(map)
                .at("/additionalProperties/type").asText(), "Map<String, String>");
    }

    @Test
    void listsTheProblemResponses() {
        JsonNode create = document.at("/paths/~1v1~1items/post/responses");
        for (String status : List.of("400", "405", "413", "415", "500", "503")) {
            assertTrue(create.path(status).path("$ref").asText().startsWith("#/components/responses/"), status);
        }
        assertTrue(document.at("/paths/~1v1~1conflict/get/responses/400").isMissingNode(), "no input, no 400");
        JsonNode badRequest = document.at("/components/responses/BadRequest");
        assertEquals("#/components/schemas/Problem",
                     badRequest.at("/content/application~1problem+json/schema/$ref").asText());
        assertEquals("integer", document.at("/components/schemas/Problem/properties/status/type").asText());
    }

    @Test
    void describesRecordsEnumsAndRequiredFields() {
        JsonNode item = document.at("/components/schemas/CatalogApi.Item");
        assertEquals("object", item.path("type").asText());
        assertEquals("integer", item.at("/properties/id/type").asText());
        assertEquals(Set.of("string", "null"), names(item.at("/properties/name/type")), "an object type may be null");
        assertEquals("integer", item.at("/properties/quantity/type").asText(), "a primitive may not");
        assertEquals(Set.of("id", "quantity"), names(item.path("required")), "primitives are required");

        JsonNode newProduct = document.at("/components/schemas/ProductApiV2.NewProduct");
        assertEquals(Set.of("name"), names(newProduct.path("required")), "@JsonProperty(required = true)");
        assertEquals("integer", document.at("/components/schemas/ProductApiV1.Product/properties/priceCents/type")
                .asText(), "the two Product records are named after their interfaces");
        assertEquals("#/components/schemas/ProductApiV2.Price-nullable",
                     document.at("/components/schemas/ProductApiV2.Product/properties/price/$ref").asText(),
                     "a record field that may be null");
        assertEquals("#/components/schemas/ProductApiV2.Price",
                     document.at("/components/schemas/ProductApiV2.Price-nullable/anyOf/1/$ref").asText());
        String currencies = document.toString();
        assertTrue(currencies.contains("\"enum\":[\"EUR\",\"USD\"]"), currencies);
    }

    @Test
    void showsTheConstraintsOfRecordFields() {
        JsonNode account = document.at("/components/schemas/AccountApi.NewAccount");
        assertEquals(Set.of("name", "email", "age"), names(account.path("required")),
                     "@NotBlank and @NotNull make a field required, as a primitive is");
        assertEquals("string", account.at("/properties/name/type").asText(), "@NotBlank: never null");
        assertEquals(1, account.at("/properties/name/minLength").asInt());
        assertEquals(20, account.at("/properties/name/maxLength").asInt());
        assertEquals(320, account.at("/properties/email/maxLength").asInt());
        assertEquals("email", account.at("/properties/email/format").asText());
        assertEquals(18, account.at("/properties/age/minimum").asInt());
        assertEquals(150, account.at("/properties/age/maximum").asInt());
        assertEquals(Set.of("string", "null"), names(account.at("/properties/nickname/type")));
        assertEquals(3, account.at("/properties/tags/maxItems").asInt());
        assertEquals(10, account.at("/properties/tags/items/maxLength").asInt(), "List<@Size(max = 10) String>");
        assertEquals("^(?:[0-9]{5})$", document.at("/components/schemas/AccountApi.Address/properties/zip/pattern")
                .asText(), "anchored: @Pattern matches the whole value");
        JsonNode address = document.at(account.at("/properties/address/$ref").asText().substring(1));
        assertEquals("null", address.at("/anyOf/0/type").asText(), "a nested record that may be null");
        assertEquals("#/components/schemas/AccountApi.Address", address.at("/anyOf/1/$ref").asText());
    }

    @Test
    void showsTheConstraintsOfParameters() {
        JsonNode search = document.at("/paths/~1v1~1accounts/get/parameters");
        assertTrue(search.get(0).path("required").asBoolean(), "@NotBlank query parameter");
        assertEquals(20, search.get(0).at("/schema/maxLength").asInt());
        assertEquals(1, search.get(1).at("/schema/minimum").asInt());
        assertEquals(100, search.get(1).at("/schema/maximum").asInt());
        assertEquals(3, search.get(2).at("/schema/maxItems").asInt());
        assertEquals(10, search.get(2).at("/schema/items/maxLength").asInt());
        JsonNode get = document.at("/paths/~1v1~1accounts~1{id}/get/parameters");
        assertEquals(0, get.get(0).at("/schema/exclusiveMinimum").asInt(), "@Positive");
        assertEquals("^(?:short|full)$", get.get(1).at("/schema/pattern").asText());
        assertFalse(get.get(1).path("required").asBoolean());
        assertEquals(8, get.get(2).at("/schema/maxLength").asInt(), "a header");
    }

    @Test
    void listsTheDeclaredProblemsOfEachOperation() {
        JsonNode open = document.at("/paths/~1v1~1accounts/post/responses/409");
        assertEquals("Account already exists (urn:flotilla:problem:duplicate-account, DuplicateAccountException).",
                     open.path("description").asText());
        assertEquals("#/components/schemas/Problem",
                     open.at("/content/application~1problem+json/schema/allOf/0/$ref").asText());
        assertEquals(Set.of("urn:flotilla:problem:unknown-account", "urn:flotilla:problem:account-closed"),
                     names(document.at("/paths/~1v1~1accounts~1{id}~1close/post/responses/422/content"
                                               + "/application~1problem+json/schema/allOf/1/properties/type/enum")),
                     "two problems of one status, told apart by type");
        assertTrue(document.at("/paths/~1v1~1accounts~1{id}~1leaky/get/responses/422").isMissingNode());
        assertEquals("path", document.at("/components/schemas/Problem/properties/errors/items/properties/in/enum/0")
                .asText(), "the errors of an invalid request");
    }

    @Test
    void marksDeprecatedOperationsWithTheirSunset() {
        JsonNode v1 = document.at("/paths/~1v1~1products~1{id}/get");
        assertTrue(v1.path("deprecated").asBoolean());
        assertEquals("2027-06-30", v1.path("x-sunset").asText());
        JsonNode legacy = document.at("/paths/~1v2~1products~1{id}~1price-cents/get");
        assertTrue(legacy.path("deprecated").asBoolean(), "@Deprecated");
        assertTrue(legacy.path("x-sunset").isMissingNode());
        assertTrue(document.at("/paths/~1v2~1products~1{id}/get/deprecated").isMissingNode());
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new java.util.TreeSet<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }
}
