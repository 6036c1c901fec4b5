package dev.flotilla.reliability;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON Schemas of one OpenAPI document, read the way a client reads them: references resolved, the fields of a
 * body listed (nested objects and the first element of arrays of objects included), and a valid value made for any
 * schema, taken from the caller's examples by field name where the schema alone cannot say what is valid (an existing
 * user's id, the catalog's currency, an e-mail address not yet registered).
 */
final class SchemaValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** How deep nested objects are followed; the sample's bodies are two levels deep. */
    private static final int MAX_DEPTH = 4;
    /** Strings tried, in order, when a value must break a declared {@code pattern}. */
    private static final List<String> PATTERN_BREAKERS = List.of("", "!", " ", "x y", "\u0000", "<script>", "\u00e9",
                                                                 "-1", "a".repeat(3));

    /** One field of a body: where it is, its schema (resolved), and whether its object requires it. */
    record Field(List<Object> path, JsonNode schema, boolean required) {
        String name() {
            StringBuilder text = new StringBuilder();
            for (Object segment : path) {
                if (segment instanceof Integer i) {
                    text.append('[').append(i).append(']');
                } else {
                    text.append(text.isEmpty() ? "" : ".").append(segment);
                }
            }
            return text.toString();
        }

        /** The last property name on the path, for looking up an example. */
        String leaf() {
            for (int i = path.size() - 1; i >= 0; i--) {
                if (path.get(i) instanceof String s) {
                    return s;
                }
            }
            return "";
        }
    }

    private final JsonNode components;
    private final Map<String, Supplier<JsonNode>> examples;

    SchemaValues(JsonNode document, Map<String, Supplier<JsonNode>> examples) {
        this.components = document.path("components").path("schemas");
        this.examples = examples;
    }

    /** The schema itself, or the one its {@code $ref} points to (followed until there is no reference). */
    JsonNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int i = 0; i < 10 && current.has("$ref"); i++) {
            String ref = current.get("$ref").asText();
            current = components.path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        return current;
    }

    /**
     * The JSON type a schema declares, without {@code "null"}: {@code "type": ["string", "null"]} is a nullable
     * string. Empty when the schema declares none (any value).
     */
    String type(JsonNode schema) {
        JsonNode s = resolve(schema);
        JsonNode type = s.get("type");
        if (type == null) {
            return s.has("enum") ? "string" : s.has("properties") ? "object" : "";
        }
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!t.asText().equals("null")) {
                    return t.asText();
                }
            }
            return "null";
        }
        return type.asText();
    }

    /** Whether {@code null} is a valid value: {@code "type"} lists {@code "null"}, or {@code nullable: true}. */
    boolean nullable(JsonNode schema) {
        JsonNode s = resolve(schema);
        if (s.path("nullable").asBoolean(false)) {
            return true;
        }
        JsonNode type = s.get("type");
        if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                if (t.asText().equals("null")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every field of a body schema, parents before their children. */
    List<Field> fields(JsonNode schema) {
        List<Field> out = new ArrayList<>();
        collect(schema, new ArrayList<>(), out, new HashSet<>(), 0);
        return out;
    }

    private void collect(JsonNode schema, List<Object> at, List<Field> out, Set<String> seen, int depth) {
        JsonNode s = resolve(schema);
        if (depth >= MAX_DEPTH || !type(s).equals("object")) {
            return;
        }
        String ref = schema.path("$ref").asText("");
        if (!ref.isEmpty() && !seen.add(ref)) {
            return;
        }
        Set<String> required = new HashSet<>();
        s.path("required").forEach(r -> required.add(r.asText()));
        s.path("properties").properties().forEach(property -> {
            List<Object> path = new ArrayList<>(at);
            path.add(property.getKey());
            JsonNode child = property.getValue();
            out.add(new Field(List.copyOf(path), resolve(child), required.contains(property.getKey())));
            String childType = type(child);
            if (childType.equals("object")) {
                collect(child, path, out, new HashSet<>(seen), depth + 1);
            } else if (childType.equals("array") && type(resolve(child).path("items")).equals("object")) {
                List<Object> first = new ArrayList<>(path);
                first.add(0);
                collect(resolve(child).path("items"), first, out, new HashSet<>(seen), depth + 1);
            }
        });
        if (!ref.isEmpty()) {
            seen.remove(ref);
        }
    }

    /** A valid value of a schema: the example for {@code name} if there is one, else one made from the schema. */
    JsonNode valid(JsonNode schema, String name) {
        Supplier<JsonNode> example = examples.get(name);
        if (example != null) {
            return example.get();
        }
        JsonNode s = resolve(schema);
        if (s.has("enum") && !s.get("enum").isEmpty()) {
            return s.get("enum").get(0);
        }
        if (s.has("const")) {
            return s.get("const");
        }
        return switch (type(s)) {
            case "string" -> NODES.textNode(validString(s));
            case "integer" -> NODES.numberNode(validNumber(s).longValue());
            case "number" -> NODES.numberNode(validNumber(s));
            case "boolean" -> NODES.booleanNode(true);
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                int items = Math.max(1, s.path("minItems").asInt(1));
                for (int i = 0; i < items; i++) {
                    array.add(valid(s.path("items"), name));
                }
                yield array;
            }
            case "object" -> {
                ObjectNode object = NODES.objectNode();
                s.path("properties").properties()
                        .forEach(p -> object.set(p.getKey(), valid(p.getValue(), p.getKey())));
                yield object;
            }
            default -> NODES.textNode("x");
        };
    }

    private static String validString(JsonNode s) {
        int min = s.path("minLength").asInt(0);
        int max = s.path("maxLength").asInt(Integer.MAX_VALUE);
        return ofLength("hostile", Math.max(min, Math.min(7, max)));
    }

    private static BigDecimal validNumber(JsonNode s) {
        BigDecimal value = BigDecimal.ONE;
        if (s.has("minimum")) {
            value = value.max(s.get("minimum").decimalValue());
        }
        if (s.has("exclusiveMinimum") && s.get("exclusiveMinimum").isNumber()) {
            value = value.max(s.get("exclusiveMinimum").decimalValue().add(BigDecimal.ONE));
        }
        if (s.has("maximum")) {
            value = value.min(s.get("maximum").decimalValue());
        }
        if (s.has("exclusiveMaximum") && s.get("exclusiveMaximum").isNumber()) {
            value = value.min(s.get("exclusiveMaximum").decimalValue().subtract(BigDecimal.ONE));
        }
        return value;
    }

    /** A string of exactly {@code length} characters built from a valid one, so it still matches its pattern. */
    static String ofLength(String valid, int length) {
        if (valid.length() >= length) {
            return valid.substring(valid.length() - length);
        }
        // Padded at the front: an e-mail address stays one ("aaa...ada@example.com").
        return "a".repeat(length - valid.length()) + valid;
    }

    /** A string that does not match a JSON Schema {@code pattern} (which matches anywhere, unless anchored). */
    static String breaking(String pattern) {
        Pattern compiled = Pattern.compile(pattern);
        for (String candidate : PATTERN_BREAKERS) {
            if (!compiled.matcher(candidate).find()) {
                return candidate;
            }
        }
        return null;
    }

    /** A copy of {@code body} with the value at {@code path} replaced, or removed when {@code value} is absent. */
    static JsonNode with(JsonNode body, List<Object> path, JsonNode value, boolean remove) {
        JsonNode copy = body.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < path.size() - 1; i++) {
            Object segment = path.get(i);
            parent = segment instanceof Integer index ? parent.path(index) : parent.path((String) segment);
        }
        Object last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object && last instanceof String name) {
            if (remove) {
                object.remove(name);
            } else {
                object.set(name, value);
            }
        } else if (parent instanceof ArrayNode array && last instanceof Integer index && index < array.size()) {
            if (remove) {
                array.remove(index.intValue());
            } else {
                array.set(index, value);
            }
        }
        return copy;
    }
}
