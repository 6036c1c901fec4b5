package dev.flotilla.reliability;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import static dev.flotilla.reliability.ContractCases.Expect.NOT_5XX;
import static dev.flotilla.reliability.ContractCases.Expect.REJECTED;

/**
 * The values at the edges of what a schema admits: at, just inside and just outside each constraint it declares
 * ({@code maxLength}, {@code minLength}, {@code pattern}, {@code format}, {@code minimum}, {@code maximum} and their
 * exclusive forms, {@code enum}, {@code minItems}, {@code maxItems}), and values of the wrong JSON type. Each is built
 * from a valid value, so it breaks one constraint and keeps the others.
 */
final class EdgeValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SchemaValues schemas;

    EdgeValues(SchemaValues schemas) {
        this.schemas = schemas;
    }

    /** A value and whether the contract admits it. */
    record Value(String what, JsonNode value, ContractCases.Expect expect) {
    }

    /** At, just inside and just outside each constraint a schema declares. */
    List<Value> constraintValues(JsonNode schema, String name) {
        List<Value> values = new ArrayList<>();
        String type = schemas.type(schema);
        JsonNode base = schemas.valid(schema, name);
        if (type.equals("string")) {
            String valid = base.isTextual() ? base.asText() : "x";
            if (schema.has("maxLength")) {
                int max = schema.get("maxLength").asInt();
                values.add(new Value("maxLength " + max + " (at)", text(SchemaValues.ofLength(valid, max)),
                                     NOT_5XX));
                if (max > 0) {
                    values.add(new Value("maxLength " + max + " (inside)",
                                         text(SchemaValues.ofLength(valid, max - 1)), NOT_5XX));
                }
                values.add(new Value("maxLength " + max + " (outside)", text(SchemaValues.ofLength(valid, max + 1)),
                                     REJECTED));
            }
            if (schema.has("minLength")) {
                int min = schema.get("minLength").asInt();
                values.add(new Value("minLength " + min + " (at)", text(SchemaValues.ofLength(valid, min)),
                                     NOT_5XX));
                values.add(new Value("minLength " + min + " (inside)", text(SchemaValues.ofLength(valid, min + 1)),
                                     NOT_5XX));
                if (min > 0) {
                    values.add(new Value("minLength " + min + " (outside)",
                                         text(SchemaValues.ofLength(valid, min - 1)), REJECTED));
                }
            }
            if (schema.has("pattern")) {
                String breaking = SchemaValues.breaking(schema.get("pattern").asText());
                if (breaking != null) {
                    values.add(new Value("pattern (outside): '" + breaking + "'", text(breaking), REJECTED));
                }
                values.add(new Value("pattern (at)", text(valid), NOT_5XX));
            }
            String format = schema.path("format").asText("");
            if (List.of("email", "uuid", "date", "date-time").contains(format)) {
                values.add(new Value("format " + format + " (outside)", text("not-a-" + format), REJECTED));
            }
        }
        if (type.equals("integer") || type.equals("number")) {
            BigDecimal step = type.equals("integer") ? BigDecimal.ONE : new BigDecimal("0.01");
            bound(values, schema, "minimum", step, false);
            bound(values, schema, "maximum", step.negate(), false);
            bound(values, schema, "exclusiveMinimum", step, true);
            bound(values, schema, "exclusiveMaximum", step.negate(), true);
        }
        if (schema.has("enum")) {
            schema.get("enum").forEach(e -> values.add(new Value("enum " + e, e, NOT_5XX)));
            values.add(new Value("enum (outside)", text("NOT_ONE_OF_THEM"), REJECTED));
        }
        if (type.equals("array")) {
            JsonNode item = schemas.valid(schema.path("items"), name);
            if (schema.has("minItems")) {
                int min = schema.get("minItems").asInt();
                values.add(new Value("minItems " + min + " (at)", items(item, min), NOT_5XX));
                if (min > 0) {
                    values.add(new Value("minItems " + min + " (outside)", items(item, min - 1), REJECTED));
                }
            }
            if (schema.has("maxItems")) {
                int max = schema.get("maxItems").asInt();
                values.add(new Value("maxItems " + max + " (at)", items(item, max), NOT_5XX));
                values.add(new Value("maxItems " + max + " (outside)", items(item, max + 1), REJECTED));
            }
        }
        return values;
    }

    /** The bound itself and the value one step inside (both admitted, unless exclusive), and one step outside. */
    private static void bound(List<Value> values, JsonNode schema, String keyword, BigDecimal inward,
                              boolean exclusive) {
        JsonNode bound = schema.get(keyword);
        if (bound == null || !bound.isNumber()) {
            return;
        }
        BigDecimal at = bound.decimalValue();
        values.add(new Value(keyword + " " + at + " (at)", NODES.numberNode(at),
                             exclusive ? REJECTED : NOT_5XX));
        values.add(new Value(keyword + " " + at + " (inside)", NODES.numberNode(at.add(inward)), NOT_5XX));
        values.add(new Value(keyword + " " + at + " (outside)", NODES.numberNode(at.subtract(inward)),
                             REJECTED));
    }

    /** Values of the wrong JSON type: a mismatch of shape (object, array, scalar) has to be refused. */
    static List<Value> wrongTypes(String type) {
        List<Value> values = new ArrayList<>();
        boolean scalar = !type.equals("object") && !type.equals("array");
        values.add(new Value("an object", NODES.objectNode().put("x", 1),
                             type.equals("object") ? NOT_5XX : REJECTED));
        values.add(new Value("an array", NODES.arrayNode().add(1),
                             type.equals("array") ? NOT_5XX : REJECTED));
        values.add(new Value("true", NODES.booleanNode(true), scalar ? NOT_5XX : REJECTED));
        values.add(new Value("a string", text("not-a-" + (type.isEmpty() ? "value" : type)),
                             type.equals("string") || type.isEmpty() ? NOT_5XX : REJECTED));
        values.add(new Value("a fraction", NODES.numberNode(new BigDecimal("1.5")),
                             scalar ? NOT_5XX : REJECTED));
        values.add(new Value("2^63", NODES.numberNode(new BigDecimal("9223372036854775808")),
                             scalar ? NOT_5XX : REJECTED));
        values.add(new Value("-1e400", NODES.numberNode(new BigDecimal("-1e400")),
                             scalar ? NOT_5XX : REJECTED));
        return values;
    }

    private static ArrayNode items(JsonNode item, int count) {
        ArrayNode array = NODES.arrayNode();
        for (int i = 0; i < count; i++) {
            array.add(item.deepCopy());
        }
        return array;
    }

    private static JsonNode text(String s) {
        return NODES.textNode(s);
    }
}
