package dev.flotilla.testkit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.core.contract.ContractDocument;
import dev.flotilla.core.contract.EventContract;

/**
 * Finds the changes from one contract to the next that break an existing consumer. Schemas are compared after
 * resolving their {@code $ref}s, so renaming a schema is not a change.
 *
 * <p>What a consumer sends (parameters, request bodies, consumed events) must keep accepting what it accepted:
 * removing it, changing its type, making an optional input required, adding a required input, or narrowing an enum
 * breaks. What a consumer reads (responses, published events) must keep carrying what it carried: removing a field or
 * a success status, changing a type, making an always-present field optional, or widening an enum (Flotilla's
 * readers reject unknown enum constants) breaks. Removing an operation or a published event version breaks.
 */
final class ContractDiff {
    private enum Side { REQUEST, RESPONSE }

    private final JsonNode oldRoot;
    private final JsonNode newRoot;
    private final List<String> changes = new ArrayList<>();
    private final Set<String> visiting = new HashSet<>();

    private ContractDiff(JsonNode oldRoot, JsonNode newRoot) {
        this.oldRoot = oldRoot;
        this.newRoot = newRoot;
    }

    static List<String> breakingChanges(ContractDocument before, ContractDocument after) {
        List<String> changes = new ArrayList<>();
        ContractDiff http = new ContractDiff(before.openApi(), after.openApi());
        http.paths();
        changes.addAll(http.changes);
        for (EventContract old : before.events()) {
            EventContract now = after.events().stream()
                    .filter(e -> e.subject().equals(old.subject()) && e.direction() == old.direction())
                    .findFirst().orElse(null);
            if (now == null) {
                if (old.direction() == EventContract.Direction.PUBLISHES) {
                    changes.add("BREAKING: event " + old.subject() + " removed: its consumers get nothing (publish it "
                                        + "until they move to the next version)");
                }
                continue;
            }
            ContractDiff event = new ContractDiff(old.schema(), now.schema());
            Side side = old.direction() == EventContract.Direction.PUBLISHES ? Side.RESPONSE : Side.REQUEST;
            event.schema("event " + old.subject() + (side == Side.RESPONSE ? "" : " (consumed)"), side, "", "",
                         old.schema(), now.schema());
            changes.addAll(event.changes);
        }
        return changes;
    }

    private void paths() {
        JsonNode oldPaths = oldRoot.path("paths");
        JsonNode newPaths = newRoot.path("paths");
        for (Map.Entry<String, JsonNode> path : oldPaths.properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String name = op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                JsonNode now = newPaths.path(path.getKey()).path(op.getKey());
                if (now.isMissingNode()) {
                    changes.add("BREAKING: " + name + ": operation removed");
                    continue;
                }
                operation(name, op.getValue(), now);
            }
        }
    }

    private void operation(String name, JsonNode old, JsonNode now) {
        Map<String, JsonNode> oldParams = parameters(old);
        Map<String, JsonNode> newParams = parameters(now);
        oldParams.forEach((key, param) -> {
            String label = param.path("in").asText() + " parameter '" + param.path("name").asText() + "'";
            JsonNode current = newParams.get(key);
            if (current == null) {
                changes.add("BREAKING: " + name + ": " + label + " removed");
                return;
            }
            if (!param.path("required").asBoolean() && current.path("required").asBoolean()) {
                changes.add("BREAKING: " + name + ": " + label + " became required");
            }
            schema(name, Side.REQUEST, label, "", param.path("schema"), current.path("schema"));
        });
        newParams.forEach((key, param) -> {
            if (!oldParams.containsKey(key) && param.path("required").asBoolean()) {
                changes.add("BREAKING: " + name + ": new required " + param.path("in").asText() + " parameter '"
                                    + param.path("name").asText() + "'");
            }
        });
        JsonNode oldBody = old.at("/requestBody/content/application~1json/schema");
        JsonNode newBody = now.at("/requestBody/content/application~1json/schema");
        if (oldBody.isMissingNode() && !newBody.isMissingNode() && now.at("/requestBody/required").asBoolean()) {
            changes.add("BREAKING: " + name + ": request body became required");
        } else if (!oldBody.isMissingNode() && !newBody.isMissingNode()) {
            schema(name, Side.REQUEST, "request", "", oldBody, newBody);
        }
        for (Map.Entry<String, JsonNode> response : old.path("responses").properties()) {
            String status = response.getKey();
            if (!status.startsWith("2")) {
                continue;
            }
            JsonNode current = now.path("responses").path(status);
            if (current.isMissingNode()) {
                changes.add("BREAKING: " + name + ": success response " + status + " removed (now "
                                    + successStatuses(now) + ")");
                continue;
            }
            JsonNode oldSchema = response.getValue().at("/content/application~1json/schema");
            JsonNode newSchema = current.at("/content/application~1json/schema");
            if (!oldSchema.isMissingNode() && newSchema.isMissingNode()) {
                changes.add("BREAKING: " + name + ": response " + status + " no longer has a body");
            } else if (!oldSchema.isMissingNode()) {
                schema(name, Side.RESPONSE, "response", "", oldSchema, newSchema);
            }
        }
    }

    private static String successStatuses(JsonNode operation) {
        Set<String> statuses = new TreeSet<>();
        operation.path("responses").fieldNames().forEachRemaining(s -> {
            if (s.startsWith("2")) {
                statuses.add(s);
            }
        });
        return String.join(", ", statuses);
    }

    private static Map<String, JsonNode> parameters(JsonNode operation) {
        Map<String, JsonNode> params = new java.util.LinkedHashMap<>();
        operation.path("parameters").forEach(p -> params.put(p.path("in").asText() + ":" + p.path("name").asText(), p));
        return params;
    }

    /**
     * Compares the schema a consumer sends ({@code REQUEST}) or reads ({@code RESPONSE}): {@code root} names where
     * it is (a parameter, {@code request}, {@code response}, or empty for an event payload), {@code field} the
     * path of the field below it (empty for the root itself).
     */
    private void schema(String operation, Side side, String root, String field, JsonNode oldSchema,
                        JsonNode newSchema) {
        String oldRef = oldSchema.path("$ref").asText("");
        String newRef = newSchema.path("$ref").asText("");
        String pair = side + " " + oldRef + " " + newRef;
        if (!oldRef.isEmpty() && !visiting.add(pair)) {
            return; // a recursive type, already being compared
        }
        try {
            JsonNode old = resolve(oldRoot, oldSchema);
            JsonNode now = resolve(newRoot, newSchema);
            String label = label(root, field);
            Set<String> oldTypes = types(old);
            Set<String> newTypes = types(now);
            if (!oldTypes.isEmpty() && !newTypes.isEmpty() && !oldTypes.equals(newTypes)
                    && !(side == Side.REQUEST && newTypes.containsAll(oldTypes))
                    && !(side == Side.RESPONSE && oldTypes.containsAll(newTypes))) {
                changes.add("BREAKING: " + operation + ": " + label + " type changed from "
                                    + String.join("|", oldTypes) + " to " + String.join("|", newTypes));
                return;
            }
            enums(operation, side, label, refName(lastRef(oldRoot, oldSchema)), old, now);
            properties(operation, side, root, field, old, now);
            if (old.has("items") && now.has("items")) {
                schema(operation, side, root, field + "[]", old.get("items"), now.get("items"));
            }
            if (old.path("additionalProperties").isObject() && now.path("additionalProperties").isObject()) {
                schema(operation, side, root, field + "{}", old.get("additionalProperties"),
                       now.get("additionalProperties"));
            }
        } finally {
            if (!oldRef.isEmpty()) {
                visiting.remove(pair);
            }
        }
    }

    private void enums(String operation, Side side, String label, String typeName, JsonNode old, JsonNode now) {
        Set<String> oldValues = enumValues(old);
        Set<String> newValues = enumValues(now);
        if (oldValues == null || newValues == null) {
            return;
        }
        String type = typeName.isEmpty() ? "" : " (enum " + typeName + ")";
        if (side == Side.REQUEST) {
            for (String value : oldValues) {
                if (!newValues.contains(value)) {
                    changes.add("BREAKING: " + operation + ": " + label + type + ": enum value '" + value
                                        + "' removed");
                }
            }
        } else {
            for (String value : newValues) {
                if (!oldValues.contains(value)) {
                    changes.add("BREAKING: " + operation + ": " + label + type + ": enum value '" + value
                                        + "' added to what consumers read (readers reject unknown constants)");
                }
            }
        }
    }

    private void properties(String operation, Side side, String root, String field, JsonNode old, JsonNode now) {
        JsonNode oldProps = old.path("properties");
        if (!oldProps.isObject() && !now.path("properties").isObject()) {
            return;
        }
        JsonNode newProps = now.path("properties");
        Set<String> oldRequired = values(old.path("required"));
        Set<String> newRequired = values(now.path("required"));
        for (Map.Entry<String, JsonNode> property : oldProps.properties()) {
            String name = property.getKey();
            String path = field.isEmpty() ? name : field + "." + name;
            String label = label(root, path);
            JsonNode current = newProps.get(name);
            if (current == null) {
                changes.add("BREAKING: " + operation + ": " + label + " removed");
                continue;
            }
            if (side == Side.REQUEST && !oldRequired.contains(name) && newRequired.contains(name)) {
                changes.add("BREAKING: " + operation + ": " + label + " became required");
            }
            if (side == Side.RESPONSE && oldRequired.contains(name) && !newRequired.contains(name)) {
                changes.add("BREAKING: " + operation + ": " + label + " is no longer always present");
            }
            schema(operation, side, root, path, property.getValue(), current);
        }
        if (side == Side.REQUEST) {
            for (String required : newRequired) {
                if (!oldProps.has(required)) {
                    changes.add("BREAKING: " + operation + ": new required "
                                        + label(root, field.isEmpty() ? required : field + "." + required));
                }
            }
        }
    }

    private static String label(String root, String field) {
        if (field.isEmpty()) {
            return root.isEmpty() ? "payload" : root;
        }
        return (root.isEmpty() ? "" : root + " ") + "field '" + field + "'";
    }

    /**
     * The schema a {@code $ref} points at, followed through further references and through the {@code anyOf} of
     * {@code {"type": "null"}} and one schema that says a value may be null, so a field that became nullable is
     * compared with what it was (whether it may be null is not compared: Flotilla's readers take either).
     */
    private static JsonNode resolve(JsonNode root, JsonNode schema) {
        JsonNode current = schema;
        for (int i = 0; i < 16; i++) {
            if (current.has("$ref")) {
                String ref = current.get("$ref").asText();
                if (!ref.startsWith("#")) {
                    return current;
                }
                current = root.at(ref.substring(1));
            } else if (nullableOf(current) != null) {
                current = nullableOf(current);
            } else {
                return current;
            }
        }
        return current;
    }

    /** The last {@code $ref} {@link #resolve} follows from a schema: the name of the type it ends at. */
    private static String lastRef(JsonNode root, JsonNode schema) {
        JsonNode current = schema;
        String last = "";
        for (int i = 0; i < 16; i++) {
            if (current.has("$ref") && current.get("$ref").asText().startsWith("#")) {
                last = current.get("$ref").asText();
                current = root.at(last.substring(1));
            } else if (nullableOf(current) != null) {
                current = nullableOf(current);
            } else {
                break;
            }
        }
        return last;
    }

    /** The other branch of {@code "anyOf": [{"type": "null"}, X]} (either order); null for any other schema. */
    private static JsonNode nullableOf(JsonNode schema) {
        JsonNode anyOf = schema.path("anyOf");
        if (!anyOf.isArray() || anyOf.size() != 2) {
            return null;
        }
        for (int i = 0; i < 2; i++) {
            JsonNode branch = anyOf.get(i);
            if (branch.size() == 1 && "null".equals(branch.path("type").asText(null))) {
                return anyOf.get(1 - i);
            }
        }
        return null;
    }

    private static String refName(String ref) {
        return ref.isEmpty() ? "" : ref.substring(ref.lastIndexOf('/') + 1);
    }

    private static Set<String> types(JsonNode schema) {
        Set<String> types = new TreeSet<>();
        JsonNode type = schema.path("type");
        if (type.isTextual()) {
            types.add(type.asText());
        } else {
            type.forEach(t -> types.add(t.asText()));
        }
        types.remove("null");
        return types;
    }

    /** The values of {@code enum}, or of {@code const} as a single value; {@code null} when unrestricted. */
    private static Set<String> enumValues(JsonNode schema) {
        if (schema.has("enum")) {
            return values(schema.get("enum"));
        }
        return schema.has("const") ? Set.of(schema.get("const").asText()) : null;
    }

    private static Set<String> values(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
