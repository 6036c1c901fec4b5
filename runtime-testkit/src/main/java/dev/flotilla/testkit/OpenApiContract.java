package dev.flotilla.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import dev.flotilla.testkit.ExchangeCapture.Exchange;

/**
 * One service's published OpenAPI 3.1 document, and the check of an exchange against it: the operation is found by
 * method and path template, the status must be declared for it (exactly, as a range such as {@code 2XX}, or as
 * {@code default}), the content type must be one the response declares, and a JSON body must match the declared
 * schema (JSON Schema 2020-12 with the OpenAPI 3.1 vocabulary, {@code $ref}s resolved in the document). A request
 * body the service accepted (a 2xx answer) must match the operation's request schema. Exchanges on paths or methods
 * the document does not have are not operations of the contract and are not checked.
 *
 * <p>{@code format} is an annotation, as JSON Schema 2020-12 makes it by default: e-mail and host name checks differ
 * between validators more than services and clients do. Thread-safe.
 */
final class OpenApiContract {
    /** Schema errors listed per exchange; more are counted. */
    static final int MAX_ERRORS_PER_BODY = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{[^/{}]+}");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
                                                      "trace");
    private static final SchemaValidatorsConfig VALIDATION = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_PATH)
            .formatAssertionsEnabled(false)
            .build();

    private final String service;
    private final JsonNode document;
    private final List<PathTemplate> paths;
    private final JsonSchemaFactory schemas;
    private final Map<String, JsonSchema> schemaByPointer = new ConcurrentHashMap<>();

    /** A path of the document, with the pattern its requests match; more literal characters match first. */
    private record PathTemplate(String template, Pattern pattern, int literalLength) {
    }

    private OpenApiContract(String service, String text, JsonNode document) {
        this.service = service;
        this.document = document;
        List<PathTemplate> templates = new ArrayList<>();
        document.path("paths").properties().forEach(entry -> templates.add(template(entry.getKey())));
        templates.sort(Comparator.comparingInt(PathTemplate::literalLength).reversed());
        this.paths = List.copyOf(templates);
        // The document is the schema resource its $refs ("#/components/schemas/...") resolve in; the address is
        // never fetched, the loader answers it from memory.
        String address = documentAddress(service);
        // The document's own members (openapi, paths, ...) sit where a schema's keywords would: unknown keywords are
        // annotations in 2020-12, so they are taken as such without the validator's warning for each.
        JsonMetaSchema dialect = JsonMetaSchema.builder(OpenApi31.getInstance())
                .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
                .build();
        this.schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder
                .metaSchema(dialect)
                .defaultMetaSchemaIri(dialect.getIri())
                .schemaLoaders(loaders -> loaders.schemas(Map.of(address, text))));
    }

    /**
     * Reads a document.
     *
     * @param service the service that published it
     * @param text    its JSON
     * @return the contract
     * @throws IllegalArgumentException if the text is not an OpenAPI 3.1 document in JSON
     */
    static OpenApiContract parse(String service, String text) {
        JsonNode document;
        try {
            document = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The contract of " + service + " is not JSON: "
                                                       + e.getOriginalMessage());
        }
        if (document == null || !document.path("openapi").asText().startsWith("3.1")) {
            throw new IllegalArgumentException("The contract of " + service + " is not an OpenAPI 3.1 document");
        }
        return new OpenApiContract(service, text, document);
    }

    private static String documentAddress(String service) {
        return "https://flotilla.invalid/" + service.replaceAll("[^A-Za-z0-9._-]", "_") + "/openapi.json";
    }

    private static PathTemplate template(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher parameter = PATH_PARAMETER.matcher(template);
        int literal = 0;
        int last = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(template.substring(last, parameter.start()))).append("[^/]+");
            literal += parameter.start() - last;
            last = parameter.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        literal += template.length() - last;
        return new PathTemplate(template, Pattern.compile(regex.toString()), literal);
    }

    /**
     * The operation an exchange's method and path belong to.
     *
     * @return its path template; empty when the document has no such operation
     */
    Optional<String> operationPath(String method, String rawPath) {
        String verb = method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(verb)) {
            return Optional.empty();
        }
        for (PathTemplate template : paths) {
            if (template.pattern().matcher(rawPath).matches()
                    && document.path("paths").path(template.template()).has(verb)) {
                return Optional.of(template.template());
            }
        }
        return Optional.empty();
    }

    /**
     * Checks an exchange.
     *
     * @param exchange what the service answered
     * @return one line per mismatch; empty when the exchange conforms or is not an operation of the contract
     */
    List<String> check(Exchange exchange) {
        Optional<String> template = operationPath(exchange.method(), exchange.rawPath());
        if (template.isEmpty()) {
            return List.of();
        }
        String verb = exchange.method().toLowerCase(Locale.ROOT);
        String operationPointer = "/paths/" + escape(template.get()) + "/" + verb;
        String operation = exchange.method() + " " + template.get();
        int status = exchange.status();
        String answered = service + " answered " + status + " to " + operation;
        JsonNode responses = document.at(operationPointer + "/responses");
        Optional<String> key = declaredKey(responses, status);
        if (key.isEmpty()) {
            StringJoiner declared = new StringJoiner(", ");
            responses.fieldNames().forEachRemaining(declared::add);
            return List.of(answered + ", which its contract does not declare (declared: " + declared + ")");
        }
        List<String> mismatches = new ArrayList<>();
        String responsePointer = operationPointer + "/responses/" + escape(key.get());
        JsonNode response = document.at(responsePointer);
        String reference = response.path("$ref").asText("");
        if (reference.startsWith("#/")) {
            responsePointer = reference.substring(1);
            response = document.at(responsePointer);
        }
        checkBody(answered, response.path("content"), responsePointer + "/content", exchange.responseContentType(),
                  exchange.response(), mismatches, false);
        if (status >= 200 && status < 300 && !exchange.request().isEmpty()) {
            JsonNode requestContent = document.at(operationPointer + "/requestBody/content");
            if (!requestContent.isMissingNode()) {
                checkBody(service + " accepted (" + status + ") a request to " + operation, requestContent,
                          operationPointer + "/requestBody/content", exchange.requestContentType(),
                          exchange.request(), mismatches, true);
            }
        }
        return mismatches;
    }

    /** The key of {@code responses} that covers a status: the status itself, its range ({@code 4XX}), or default. */
    private static Optional<String> declaredKey(JsonNode responses, int status) {
        String exact = String.valueOf(status);
        if (responses.has(exact)) {
            return Optional.of(exact);
        }
        String range = (status / 100) + "XX";
        for (String candidate : List.of(range, range.toLowerCase(Locale.ROOT), "default")) {
            if (responses.has(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private void checkBody(String what, JsonNode content, String contentPointer, String contentType,
                           ExchangeCapture.Body body, List<String> mismatches, boolean request) {
        boolean declaresContent = content.isObject() && !content.isEmpty();
        if (!declaresContent) {
            if (!body.isEmpty()) {
                mismatches.add(what + " with a body, but its contract declares none");
            }
            return;
        }
        StringJoiner declared = new StringJoiner(", ");
        content.fieldNames().forEachRemaining(declared::add);
        if (body.isEmpty()) {
            if (!request) {
                mismatches.add(what + " without a body, but its contract declares " + declared);
            }
            return;
        }
        Optional<String> mediaType = matchingMediaType(content, contentType);
        if (mediaType.isEmpty()) {
            if (!request) {
                mismatches.add(what + " as " + (contentType == null ? "no content type" : contentType)
                                       + ", but its contract declares " + declared);
            }
            return;
        }
        if (body.truncated() || !isJson(mediaType.get())) {
            return;
        }
        JsonNode instance;
        try {
            instance = JSON.readTree(body.bytes());
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            mismatches.add(what + " with a body that is not JSON (" + firstLine(reason) + ")");
            return;
        }
        String schemaPointer = contentPointer + "/" + escape(mediaType.get()) + "/schema";
        JsonNode schemaNode = document.at(schemaPointer);
        if (schemaNode.isMissingNode()) {
            return;
        }
        Set<ValidationMessage> errors;
        try {
            errors = schema(schemaPointer).validate(instance);
        } catch (JsonSchemaException e) {
            mismatches.add(what + ", but its contract's schema " + describe(schemaNode, schemaPointer)
                                   + " cannot be used: " + e.getMessage());
            return;
        }
        if (errors.isEmpty()) {
            return;
        }
        StringJoiner found = new StringJoiner("; ");
        errors.stream().limit(MAX_ERRORS_PER_BODY).forEach(error -> found.add(error.getMessage()));
        if (errors.size() > MAX_ERRORS_PER_BODY) {
            found.add("and " + (errors.size() - MAX_ERRORS_PER_BODY) + " more");
        }
        mismatches.add(what + " with a " + (request ? "request " : "") + "body that does not match "
                               + describe(schemaNode, schemaPointer) + ": " + found);
    }

    private JsonSchema schema(String pointer) {
        return schemaByPointer.computeIfAbsent(pointer, p -> schemas.getSchema(
                SchemaLocation.of(documentAddress(service) + "#" + p), VALIDATION));
    }

    /** The declared media type a response's content type is, ignoring parameters such as charset. */
    private static Optional<String> matchingMediaType(JsonNode content, String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String actual = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        String wildcard = actual.contains("/") ? actual.substring(0, actual.indexOf('/')) + "/*" : actual;
        List<String> declared = new ArrayList<>();
        content.fieldNames().forEachRemaining(declared::add);
        for (String candidate : List.of(actual, wildcard, "*/*")) {
            for (String name : declared) {
                if (name.trim().toLowerCase(Locale.ROOT).equals(candidate)) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isJson(String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.endsWith("+json") || type.equals("*/*")
                || type.equals("application/*");
    }

    /** How a schema is named in a message: its {@code $ref}, the items' {@code $ref} of an array, or its place. */
    private static String describe(JsonNode schema, String pointer) {
        if (schema.has("$ref")) {
            return schema.get("$ref").asText();
        }
        if ("array".equals(schema.path("type").asText()) && schema.path("items").has("$ref")) {
            return "an array of " + schema.path("items").get("$ref").asText();
        }
        return "the schema at #" + pointer;
    }

    /** A JSON Pointer reference token (RFC 6901). */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "unreadable";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
