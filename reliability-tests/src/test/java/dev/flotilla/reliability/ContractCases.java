package dev.flotilla.reliability;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hostile requests generated from a service's published OpenAPI document: for every operation with a body or
 * parameters, each field at, just inside and just outside each constraint it declares ({@code maxLength},
 * {@code minLength}, {@code minimum}, {@code maximum}, {@code pattern}, {@code enum}, {@code format},
 * {@code minItems}, {@code maxItems}, {@code required}), the wrong JSON types, {@code null}, a 1 MB string, a value
 * nested 10,000 deep, unknown fields, a missing or malformed body, and bad path, query and header values. Every other
 * field of a body keeps a valid value, so a case breaks one thing at a time and reaches as far into the service as
 * that one thing lets it.
 *
 * <p>The document is the only description of the operations: a constraint the contract publishes is tested as soon
 * as it is published, and a field the contract leaves unconstrained is tested with what any client may send.
 */
final class ContractCases {
    /** 1,000,000 characters: a body with one such string stays under the default 1 MiB payload limit. */
    static final int HUGE = 1_000_000;
    /** The length of a long string that is otherwise valid. */
    static final int LONG = 10_000;
    /** How deep the deeply nested values go. */
    static final int DEEP = 10_000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String DEEP_MARK = "__replaced_by_a_deeply_nested_value__";
    private static final List<String> VERBS = List.of("get", "post", "put", "patch", "delete");
    /** Raw path or query values that a router, a URL decoder or a handler may choke on. */
    private static final List<String> BAD_RAW_VALUES = List.of("%ZZ", "%", "%00", "..", "..%2F..%2Fetc%2Fpasswd",
            "%2F", "%2e%2e%2f", "%0D%0AX-Injected:%201", "%C0%AF", "%FF%FE", "%E2%82%AC", "'%20OR%201=1--",
            "%3Cscript%3E", "%25", "-1", "0", "99999999999999999999", "1.5", "abc", "true", "NaN", "null",
            "%7B%7D", "%2E", "%2E%2E", "%2e%2E%2F", "a%2Fb", ".%00", "a".repeat(10_000));
    /** Strings that are valid JSON but awkward for whatever a field's value goes into next: a URL, SQL, a log. */
    private static final List<String> AWKWARD_STRINGS = List.of("", " ", ".", "..", "a/b", "../../etc/passwd",
            "a?b#c", "%2F", "\u0000", "\r\nInjected: yes", "' OR 1=1 --", "${jndi:ldap://127.0.0.1/x}",
            "\uD83D\uDE00", "\u202Eabc", "\uFFFF", "x".repeat(5_000));

    /** What a response to a case must be. */
    enum Expect {
        /** Not a 5xx; any 2xx or 4xx the contract allows. */
        NOT_5XX,
        /** Outside what the contract publishes: a 4xx. */
        REJECTED
    }

    /** One generated request, aimed at {@code service}. */
    record Case(String service, String operation, String category, String what, Expect expect, byte[] request) {
        String preview() {
            String text = new String(request, 0, Math.min(request.length, 200), StandardCharsets.ISO_8859_1);
            return text.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        }
    }

    private final String service;
    private final ObjectMapper json;
    private final SchemaValues schemas;
    private final EdgeValues edges;
    private final List<Case> out = new ArrayList<>();

    private ContractCases(String service, JsonNode document, Map<String, Supplier<JsonNode>> examples,
                          ObjectMapper json) {
        this.service = service;
        this.json = json;
        this.schemas = new SchemaValues(document, examples);
        this.edges = new EdgeValues(schemas);
    }

    /**
     * The cases of every operation of a document that takes a body or parameters.
     *
     * @param service  the service that published the document, where the cases go
     * @param document its OpenAPI document
     * @param examples valid values by field or parameter name, for what the schema alone cannot make valid
     */
    static List<Case> of(String service, JsonNode document, Map<String, Supplier<JsonNode>> examples,
                         ObjectMapper json) {
        ContractCases cases = new ContractCases(service, document, examples, json);
        document.path("paths").properties().forEach(path -> {
            for (String verb : VERBS) {
                JsonNode operation = path.getValue().get(verb);
                if (operation != null) {
                    cases.operation(verb.toUpperCase(Locale.ROOT), path.getKey(), operation);
                }
            }
        });
        return cases.out;
    }

    /** The operations of a document, as {@code METHOD /path}. */
    static List<String> operations(JsonNode document) {
        List<String> operations = new ArrayList<>();
        document.path("paths").properties().forEach(path -> {
            for (String verb : VERBS) {
                if (path.getValue().has(verb)) {
                    operations.add(verb.toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
            }
        });
        return operations;
    }

    /** The body schema of an operation, or {@code null} when it takes none. */
    static JsonNode bodySchema(JsonNode operation) {
        JsonNode schema = operation.path("requestBody").path("content").path("application/json").get("schema");
        return schema == null || schema.isMissingNode() ? null : schema;
    }

    /**
     * A valid body of an operation of a document, made as the generated cases make theirs (for a well-formed request
     * or a case written by hand).
     */
    static JsonNode validBody(JsonNode document, String method, String path, Map<String, Supplier<JsonNode>> examples) {
        JsonNode operation = document.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        return new SchemaValues(document, examples).valid(bodySchema(operation), "");
    }

    private void operation(String method, String template, JsonNode operation) {
        String name = method + " " + template;
        List<JsonNode> parameters = new ArrayList<>();
        operation.path("parameters").forEach(parameters::add);
        JsonNode body = bodySchema(operation);
        if (parameters.isEmpty() && body == null) {
            return;
        }
        for (JsonNode parameter : parameters) {
            parameterCases(method, template, name, parameters, parameter, body);
        }
        if (body != null) {
            bodyCases(method, template, name, parameters, body);
        }
    }

    // ---- parameters ------------------------------------------------------------------------------------------

    private void parameterCases(String method, String template, String name, List<JsonNode> parameters,
                                JsonNode parameter, JsonNode body) {
        String in = parameter.path("in").asText();
        String param = parameter.path("name").asText();
        JsonNode schema = schemas.resolve(parameter.path("schema"));
        boolean required = parameter.path("required").asBoolean(false);
        String category = in + "-param";
        String type = schemas.type(schema);
        List<Object[]> values = new ArrayList<>();   // raw value, what, expectation
        for (String raw : BAD_RAW_VALUES) {
            values.add(new Object[] {raw, "bad value " + abbreviate(raw), Expect.NOT_5XX});
        }
        values.add(new Object[] {"a".repeat(HUGE), "1 MB value", Expect.NOT_5XX});
        if (type.equals("integer") || type.equals("number")) {
            values.add(new Object[] {"abc", "not a number", Expect.REJECTED});
            values.add(new Object[] {"1e999999", "number out of any range", Expect.REJECTED});
        }
        edges.constraintValues(schema, param).forEach(v -> values.add(new Object[] {
            encode(v.value().isTextual() ? v.value().asText() : v.value().toString()), v.what(), v.expect()}));
        for (Object[] v : values) {
            add(name, category, param + ": " + v[1], (Expect) v[2],
                request(method, template, parameters, Map.of(param, (String) v[0]), body));
        }
        if (!in.equals("path")) {
            add(name, category, param + ": missing", required ? Expect.REJECTED : Expect.NOT_5XX,
                request(method, template, parameters, Map.of(param, "\u0000missing"), body));
        }
    }

    // ---- bodies ----------------------------------------------------------------------------------------------

    private void bodyCases(String method, String template, String name, List<JsonNode> parameters, JsonNode body) {
        add(name, "valid", "a valid body", Expect.NOT_5XX, bodyRequest(method, template, parameters, valid(body)));
        for (SchemaValues.Field field : schemas.fields(body)) {
            fieldCases(method, template, name, parameters, body, field);
        }
        boolean anyRequired = schemas.resolve(body).path("required").size() > 0;
        String[][] whole = {
            {"{}", "an empty object", anyRequired ? "REJECTED" : "NOT_5XX"},
            {"null", "null", "REJECTED"},
            {"[]", "an array", "REJECTED"},
            {"\"x\"", "a string", "REJECTED"},
            {"42", "a number", "REJECTED"},
            {"", "no body at all", "REJECTED"},
            {"{\"a\":" .repeat(DEEP) + "1" + "}".repeat(DEEP), "an object nested " + DEEP + " deep", "REJECTED"},
            {"[".repeat(DEEP) + "]".repeat(DEEP), "an array nested " + DEEP + " deep", "REJECTED"},
            {"{\"x\":\"" + "y".repeat(1024 * 1024) + "\"}", "a body over 1 MiB", "REJECTED"},
        };
        for (String[] w : whole) {
            add(name, "whole-body", w[1], Expect.valueOf(w[2]),
                RawHttp.request(method, path(template, parameters, Map.of()), "", "application/json", utf8(w[0])));
        }
        JsonNode valid = valid(body);
        if (valid instanceof ObjectNode object) {
            ObjectNode unknown = object.deepCopy();
            unknown.put("unexpectedField", 1);
            unknown.put("@class", "java.lang.ProcessBuilder");
            unknown.putObject("__proto__").put("admin", true);
            add(name, "unknown-field", "unknown members at the top", Expect.NOT_5XX,
                bodyRequest(method, template, parameters, unknown));
            String text = write(valid);
            String duplicate = "{\"" + object.fieldNames().next() + "\":\"duplicate\"," + text.substring(1);
            add(name, "unknown-field", "a member given twice", Expect.NOT_5XX,
                RawHttp.request(method, path(template, parameters, Map.of()), "", "application/json",
                                utf8(duplicate)));
        }
    }

    private void fieldCases(String method, String template, String name, List<JsonNode> parameters, JsonNode body,
                            SchemaValues.Field field) {
        String f = field.name();
        String type = schemas.type(field.schema());
        for (EdgeValues.Value v : edges.constraintValues(field.schema(), field.leaf())) {
            addField(method, template, name, parameters, body, field, "constraint", f + ": " + v.what(), v.expect(),
                     v.value());
        }
        addField(method, template, name, parameters, body, field, "missing", f + ": missing",
                 field.required() ? Expect.REJECTED : Expect.NOT_5XX, null);
        addField(method, template, name, parameters, body, field, "null", f + ": null",
                 field.required() && !schemas.nullable(field.schema()) ? Expect.REJECTED : Expect.NOT_5XX,
                 NODES.nullNode());
        if (type.equals("string") && !field.schema().has("enum")) {
            // Long but otherwise valid (padded in front: an e-mail address stays one), for a column narrower than
            // what the contract admits.
            JsonNode valid = schemas.valid(field.schema(), field.leaf());
            int maxLength = field.schema().path("maxLength").asInt(Integer.MAX_VALUE);
            addField(method, template, name, parameters, body, field, "long-string", f + ": 10,000 characters",
                     maxLength < LONG ? Expect.REJECTED : Expect.NOT_5XX,
                     text(SchemaValues.ofLength(valid.isTextual() ? valid.asText() : "x", LONG)));
            for (String awkward : AWKWARD_STRINGS) {
                addField(method, template, name, parameters, body, field, "awkward-string",
                         f + ": " + abbreviate(awkward), Expect.NOT_5XX, text(awkward));
            }
        }
        for (EdgeValues.Value v : EdgeValues.wrongTypes(type)) {
            addField(method, template, name, parameters, body, field, "wrong-type", f + ": " + v.what(), v.expect(),
                     v.value());
        }
        boolean bounded = field.schema().has("maxLength") || !type.equals("string");
        addField(method, template, name, parameters, body, field, "huge-string", f + ": a 1 MB string",
                 bounded ? Expect.REJECTED : Expect.NOT_5XX, NODES.textNode("h".repeat(HUGE)));
        addField(method, template, name, parameters, body, field, "deep-nesting", f + ": nested " + DEEP + " deep",
                 Expect.REJECTED, NODES.textNode(DEEP_MARK));
        if (type.equals("object")) {
            JsonNode value = schemas.valid(field.schema(), field.leaf());
            if (value instanceof ObjectNode object) {
                ObjectNode unknown = object.deepCopy();
                unknown.put("unexpectedField", "x");
                addField(method, template, name, parameters, body, field, "unknown-field",
                         f + ": an unknown member", Expect.NOT_5XX, unknown);
            }
        }
        if (type.equals("array")) {
            ArrayNode many = NODES.arrayNode();
            JsonNode item = schemas.valid(field.schema().path("items"), field.leaf());
            for (int i = 0; i < 10_000; i++) {
                many.add(item);
            }
            addField(method, template, name, parameters, body, field, "huge-array", f + ": 10,000 items",
                     field.schema().has("maxItems") ? Expect.REJECTED : Expect.NOT_5XX, many);
        }
    }

    private void addField(String method, String template, String name, List<JsonNode> parameters, JsonNode body,
                          SchemaValues.Field field, String category, String what, Expect expect, JsonNode value) {
        JsonNode mutated = SchemaValues.with(valid(body), field.path(), value, value == null);
        add(name, category, what, expect, bodyRequest(method, template, parameters, mutated));
    }

    // ---- requests --------------------------------------------------------------------------------------------

    private JsonNode valid(JsonNode body) {
        return schemas.valid(body, "");
    }

    private byte[] bodyRequest(String method, String template, List<JsonNode> parameters, JsonNode body) {
        String text = write(body);
        if (text.contains(DEEP_MARK)) {
            text = text.replace("\"" + DEEP_MARK + "\"", "[".repeat(DEEP) + "1" + "]".repeat(DEEP));
        }
        return RawHttp.request(method, path(template, parameters, Map.of()), "", "application/json", utf8(text));
    }

    /**
     * A request with every parameter valid but those in {@code raw} (already encoded as they go on the wire), and a
     * valid body when the operation takes one; a raw value of {@code "\0missing"} leaves its parameter out.
     */
    private byte[] request(String method, String template, List<JsonNode> parameters, Map<String, String> raw,
                           JsonNode body) {
        String headers = "";
        for (JsonNode p : parameters) {
            if (p.path("in").asText().equals("header")) {
                String value = raw.getOrDefault(p.path("name").asText(), validParameter(p));
                if (!value.equals("\u0000missing")) {
                    headers += p.path("name").asText() + ": " + value + "\r\n";
                }
            }
        }
        return body == null ? RawHttp.request(method, path(template, parameters, raw), headers, null, null)
                : RawHttp.request(method, path(template, parameters, raw), headers, "application/json",
                                  utf8(write(valid(body))));
    }

    private String path(String template, List<JsonNode> parameters, Map<String, String> raw) {
        String path = template;
        StringBuilder query = new StringBuilder();
        for (JsonNode p : parameters) {
            String name = p.path("name").asText();
            String value = raw.containsKey(name) ? raw.get(name) : validParameter(p);
            switch (p.path("in").asText()) {
                case "path" -> path = path.replace("{" + name + "}", value);
                case "query" -> {
                    boolean required = p.path("required").asBoolean(false);
                    if (!value.equals("\u0000missing") && (required || raw.containsKey(name))) {
                        query.append(query.isEmpty() ? '?' : '&').append(encode(name)).append('=').append(value);
                    }
                }
                default -> {
                }
            }
        }
        return path + query;
    }

    private String validParameter(JsonNode parameter) {
        JsonNode value = schemas.valid(parameter.path("schema"), parameter.path("name").asText());
        return encode(value.isTextual() ? value.asText() : value.toString());
    }

    private void add(String operation, String category, String what, Expect expect, byte[] request) {
        out.add(new Case(service, operation, category, what, expect, request));
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode text(String s) {
        return NODES.textNode(s);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String abbreviate(String s) {
        String oneLine = s.replace("\r", "\\r").replace("\n", "\\n");
        return oneLine.length() > 40 ? oneLine.substring(0, 40) + "...(" + oneLine.length() + " chars)" : oneLine;
    }
}
