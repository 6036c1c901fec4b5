package dev.flotilla.core.http;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.core.schema.JsonSchemas;
import dev.flotilla.core.problem.Problem;

/**
 * Writes the OpenAPI 3.1 document of contract interfaces: one operation per contract method, with its
 * parameters, request body, success response and the problem responses the runtime may answer with. Schemas of
 * bodies go to {@code components/schemas}.
 */
final class OpenApiWriter {
    static final String OPENAPI_VERSION = "3.1.0";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String JSON = "application/json";
    /**
     * The operation's extension that says who may call it, from {@code @Access} ({@code roles}, {@code scopes},
     * {@code services}) or {@code @Anonymous} ({@code anonymous: true}): {@value}.
     */
    static final String ACCESS_EXTENSION = "x-flotilla-access";

    /** The problem responses the runtime can answer with, by status. */
    private static final Map<String, String[]> PROBLEMS = Map.of(
            "400", new String[] {"BadRequest", "A parameter or the body is missing or invalid; a value that breaks "
                    + "a constraint is answered with type urn:flotilla:problem:invalid-request and every offending "
                    + "field in errors."},
            "404", new String[] {"NotFound", "Nothing was found at this path."},
            "405", new String[] {"MethodNotAllowed", "The path exists under other methods (see Allow)."},
            "406", new String[] {"NotAcceptable", "The request's Accept header admits no JSON."},
            "413", new String[] {"PayloadTooLarge", "The request body is too large."},
            "415", new String[] {"UnsupportedMediaType", "The request body is not JSON."},
            "500", new String[] {"InternalError", "The service failed."},
            "503", new String[] {"Unavailable", "The service is stopping or a dependency is unavailable."});

    private OpenApiWriter() {
    }

    static ObjectNode write(String title, String version, List<Class<?>> contracts) {
        JsonSchemas.Definitions schemas = JsonSchemas.definitions();
        ObjectNode document = NODES.objectNode();
        document.put("openapi", OPENAPI_VERSION);
        document.putObject("info").put("title", title).put("version", version);
        Map<String, ObjectNode> paths = new TreeMap<>();
        ArrayNode tags = NODES.arrayNode();
        for (Class<?> contract : contracts) {
            tags.addObject().put("name", contract.getSimpleName()).put("description", contract.getName());
            List<Endpoint> endpoints = new ArrayList<>(Endpoint.parseContract(contract));
            endpoints.sort(Comparator.comparing(Endpoint::path).thenComparing(Endpoint::httpMethod));
            for (Endpoint endpoint : endpoints) {
                ObjectNode item = paths.computeIfAbsent(endpoint.path(), p -> NODES.objectNode());
                String verb = endpoint.httpMethod().toLowerCase(java.util.Locale.ROOT);
                if (item.has(verb)) {
                    throw new ContractException(endpoint.operation() + " is declared by two contracts: "
                            + contract.getName() + " and another one served by the same service.");
                }
                item.set(verb, operation(contract, endpoint, schemas));
            }
        }
        ObjectNode pathsNode = document.putObject("paths");
        paths.forEach(pathsNode::set);
        ObjectNode components = document.putObject("components");
        ObjectNode definitions = schemas.collect("components/schemas");
        definitions.set(Problem.class.getSimpleName(), problemSchema());
        ObjectNode sorted = components.putObject("schemas");
        new TreeMap<>(toMap(definitions)).forEach(sorted::set);
        ObjectNode responses = components.putObject("responses");
        new TreeMap<>(PROBLEMS).forEach((status, problem) -> {
            ObjectNode response = responses.putObject(problem[0]);
            response.put("description", problem[1]);
            response.putObject("content").putObject(Problem.MEDIA_TYPE).putObject("schema")
                    .put("$ref", "#/components/schemas/" + Problem.class.getSimpleName());
        });
        document.set("tags", tags);
        return document;
    }

    private static Map<String, com.fasterxml.jackson.databind.JsonNode> toMap(ObjectNode node) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> map = new TreeMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    private static ObjectNode operation(Class<?> contract, Endpoint endpoint, JsonSchemas.Definitions schemas) {
        ObjectNode operation = NODES.objectNode();
        operation.putArray("tags").add(contract.getSimpleName());
        operation.put("operationId", contract.getSimpleName() + "." + endpoint.method().getName());
        endpoint.deprecation().ifPresent(d -> {
            operation.put("deprecated", true);
            if (d.sunset() != null) {
                operation.put("x-sunset", d.sunset().toString());
            }
        });
        ArrayNode parameters = NODES.arrayNode();
        boolean takesInput = false;
        boolean hasBody = false;
        for (Endpoint.Param param : endpoint.params()) {
            takesInput = true;
            if (param.kind() == Endpoint.ParamKind.BODY) {
                hasBody = true;
                ObjectNode body = operation.putObject("requestBody");
                body.put("required", true);
                body.putObject("content").putObject(JSON).set("schema", schemas.reference(param.type()));
                continue;
            }
            ObjectNode parameter = parameters.addObject();
            parameter.put("name", param.name());
            parameter.put("in", switch (param.kind()) {
                case PATH -> "path";
                case QUERY -> "query";
                default -> "header";
            });
            boolean required = param.kind() == Endpoint.ParamKind.PATH
                    || !param.multiple() && param.rawType().isPrimitive()
                    || ParameterConstraints.refusesAbsence(param.source());
            parameter.put("required", required);
            ObjectNode schema = schemas.reference(param.type());
            if (!schema.has("$ref")) {
                // An inline schema of a simple type, given constraints of this parameter's own.
                schema = schema.deepCopy();
            }
            if (param.multiple()) {
                ObjectNode array = NODES.objectNode().put("type", "array");
                ParameterConstraints.apply(array, param.source().getAnnotations());
                ParameterConstraints.apply(schema, ParameterConstraints.elementAnnotations(param.source()));
                array.set("items", schema);
                parameter.set("schema", array);
                parameter.put("explode", true);
            } else {
                ParameterConstraints.apply(schema, param.source().getAnnotations());
                parameter.set("schema", schema);
            }
        }
        if (!parameters.isEmpty()) {
            operation.set("parameters", parameters);
        }
        ObjectNode responses = operation.putObject("responses");
        success(endpoint, responses, schemas);
        List<String> problems = new ArrayList<>();
        if (takesInput) {
            problems.add("400");
        }
        if (endpoint.returnKind() == Endpoint.ReturnKind.OPTIONAL || endpoint.path().contains("{")) {
            problems.add("404");
        }
        problems.add("405");
        if (endpoint.returnKind() != Endpoint.ReturnKind.VOID) {
            problems.add("406");
        }
        if (hasBody) {
            problems.add("413");
            problems.add("415");
        }
        problems.add("500");
        problems.add("503");
        Map<String, List<DeclaredProblems.Declared>> declared = new TreeMap<>();
        for (DeclaredProblems.Declared problem : endpoint.problems().all()) {
            declared.computeIfAbsent(String.valueOf(problem.problem().status()), s -> new ArrayList<>()).add(problem);
        }
        Map<String, ObjectNode> answers = new TreeMap<>();
        for (String status : problems) {
            List<DeclaredProblems.Declared> own = declared.remove(status);
            answers.put(status, own == null
                    ? NODES.objectNode().put("$ref", "#/components/responses/" + PROBLEMS.get(status)[0])
                    : declaredResponse(PROBLEMS.get(status)[1] + " Or, as declared: ", own, false));
        }
        declared.forEach((status, own) -> answers.put(status, declaredResponse("", own, true)));
        AccessRule access = endpoint.access();
        if (access.declared()) {
            answers.putIfAbsent("401", securityResponse("The caller is not authenticated, or a credential it sent "
                                                                + "is not valid."));
            answers.putIfAbsent("403", securityResponse("The caller is authenticated but may not call this "
                                                                + "operation."));
        }
        answers.forEach(responses::set);
        if (access.declared() || access.anonymous()) {
            // Who may call, as the contract declares it; the service's /openapi adds the security requirements of
            // the schemes it uses.
            ObjectNode rule = operation.putObject(ACCESS_EXTENSION);
            if (access.anonymous()) {
                rule.put("anonymous", true);
            } else {
                names(rule, "roles", access.roles());
                names(rule, "scopes", access.scopes());
                names(rule, "services", access.services());
            }
        }
        return operation;
    }

    private static void names(ObjectNode node, String field, java.util.Set<String> names) {
        if (!names.isEmpty()) {
            ArrayNode array = node.putArray(field);
            names.stream().sorted().forEach(array::add);
        }
    }

    private static ObjectNode securityResponse(String description) {
        ObjectNode response = NODES.objectNode().put("description", description);
        response.putObject("content").putObject(Problem.MEDIA_TYPE).putObject("schema")
                .put("$ref", "#/components/schemas/" + Problem.class.getSimpleName());
        return response;
    }

    /**
     * The response of problems a method declares with one status: their titles and types in the description, and
     * the problem schema; when only declared problems answer with this status, the schema also lists their types.
     */
    private static ObjectNode declaredResponse(String prefix, List<DeclaredProblems.Declared> problems,
                                               boolean onlyThese) {
        ObjectNode response = NODES.objectNode();
        java.util.StringJoiner description = new java.util.StringJoiner("; ", prefix, ".");
        ArrayNode types = NODES.arrayNode();
        for (DeclaredProblems.Declared problem : problems) {
            description.add(problem.problem().title() + " (" + problem.problem().type() + ", "
                                    + problem.exception().getSimpleName() + ")");
            types.add(problem.problem().type().toString());
        }
        response.put("description", description.toString());
        ObjectNode reference = NODES.objectNode().put("$ref", "#/components/schemas/" + Problem.class.getSimpleName());
        ObjectNode schema;
        if (onlyThese) {
            schema = NODES.objectNode();
            ArrayNode all = schema.putArray("allOf");
            all.add(reference);
            all.addObject().putObject("properties").putObject("type").set("enum", types);
        } else {
            schema = reference;
        }
        response.putObject("content").putObject(Problem.MEDIA_TYPE).set("schema", schema);
        return response;
    }

    private static void success(Endpoint endpoint, ObjectNode responses, JsonSchemas.Definitions schemas) {
        int declared = endpoint.responseStatus();
        switch (endpoint.returnKind()) {
            case VOID -> responses.putObject(String.valueOf(declared == 0 ? 204 : declared))
                    .put("description", "Done, without a body.");
            case RESULT -> body(responses.putObject("2XX"), "The result, with the status the method chose.",
                                endpoint.entityType(), schemas);
            case OPTIONAL -> body(responses.putObject(String.valueOf(declared == 0 ? 200 : declared)),
                                  "The value (404 when there is none).", endpoint.entityType(), schemas);
            default -> body(responses.putObject(String.valueOf(declared == 0 ? 200 : declared)), "The value.",
                            endpoint.entityType(), schemas);
        }
    }

    private static void body(ObjectNode response, String description, Type type, JsonSchemas.Definitions schemas) {
        response.put("description", description);
        ObjectNode schema;
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            schema = NODES.objectNode().put("type", "array");
            schema.set("items", schemas.reference(p.getActualTypeArguments()[0]));
        } else {
            schema = schemas.reference(type);
        }
        response.putObject("content").putObject(JSON).set("schema", schema);
    }

    /** RFC 9457, with Flotilla's request id; extension members are allowed. */
    private static ObjectNode problemSchema() {
        ObjectNode schema = NODES.objectNode();
        schema.put("type", "object");
        schema.put("description", "An RFC 9457 problem detail; extension members may follow.");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("type").put("type", "string").put("format", "uri-reference");
        properties.putObject("title").put("type", "string");
        properties.putObject("status").put("type", "integer").put("minimum", 100).put("maximum", 599);
        properties.putObject("detail").put("type", "string");
        properties.putObject("instance").put("type", "string");
        properties.putObject("requestId").put("type", "string");
        ObjectNode errors = properties.putObject("errors");
        errors.put("type", "array");
        errors.put("description", "With type urn:flotilla:problem:invalid-request: each value that breaks a "
                + "constraint, as a JSON Pointer into the body (pointer) or a parameter (parameter, in).");
        ObjectNode error = errors.putObject("items");
        error.put("type", "object");
        ObjectNode members = error.putObject("properties");
        members.putObject("pointer").put("type", "string");
        members.putObject("parameter").put("type", "string");
        members.putObject("in").put("type", "string").putArray("enum").add("path").add("query").add("header");
        members.putObject("detail").put("type", "string");
        error.putArray("required").add("detail");
        schema.putArray("required").add("type").add("title").add("status");
        return schema;
    }
}
