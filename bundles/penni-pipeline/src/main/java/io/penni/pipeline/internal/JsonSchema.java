package io.penni.pipeline.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Validates JSON against a JSON Schema (draft 2020-12), for the keywords PENNI's request schema uses: type, enum,
 * properties, required, additionalProperties, maxProperties, items, minItems, maxItems, minLength, maxLength,
 * pattern, minimum, maximum, exclusiveMinimum, oneOf, not and local {@code $ref}s into {@code $defs}. Values quoted
 * in messages are cut to {@value #QUOTED} characters, so a hostile megabyte never travels on in a reason. Any other keyword in a schema is
 * refused when the validator is created, so the schema can never rely on a check that silently does not run.
 */
public final class JsonSchema {

    /** Keywords this validator checks. */
    static final Set<String> CHECKED = Set.of("type", "enum", "properties", "required", "additionalProperties", "items",
            "minItems", "maxItems", "minLength", "maxLength", "maxProperties", "pattern", "minimum", "maximum",
            "exclusiveMinimum", "oneOf", "not", "$ref");
    /** Keywords that only annotate. */
    static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$defs", "title", "description", "default");

    /** The most characters of a value a message quotes. */
    static final int QUOTED = 60;

    private final JsonNode root;

    /**
     * @param root the schema
     * @throws IllegalArgumentException when the schema uses a keyword this validator does not check
     */
    public JsonSchema(JsonNode root) {
        this.root = root;
        checkKeywords(root, "#");
    }

    /**
     * A violation.
     *
     * @param path where, as a JSON pointer ({@code /penni/retrain/epochs})
     * @param message what is wrong
     */
    public record Violation(String path, String message) {
        @Override
        public String toString() {
            return (path.isEmpty() ? "the request" : path) + ": " + message;
        }
    }

    /**
     * @param instance the JSON to check
     * @return every violation found (empty: valid)
     */
    public List<Violation> validate(JsonNode instance) {
        List<Violation> violations = new ArrayList<>();
        check(root, instance, "", violations);
        return violations;
    }

    private void check(JsonNode schema, JsonNode value, String path, List<Violation> out) {
        if (schema.has("$ref")) {
            check(resolve(schema.get("$ref").asText()), value, path, out);
        }
        if (schema.has("type") && !typeMatches(schema.get("type"), value)) {
            out.add(new Violation(path, "must be " + typeName(schema.get("type")) + ", is " + describe(value)));
            return;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode option : schema.get("enum")) {
                found |= option.equals(value);
            }
            if (!found) {
                out.add(new Violation(path, "must be one of " + schema.get("enum") + ", is " + quote(value.toString())));
            }
        }
        if (value.isObject()) {
            checkObject(schema, value, path, out);
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                out.add(new Violation(path, "must have at least " + schema.get("minItems").asInt() + " items"));
            }
            if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
                out.add(new Violation(path, "must have at most " + schema.get("maxItems").asInt() + " items, has "
                        + value.size()));
                return; // its items are not worth checking one by one
            }
            if (schema.has("items")) {
                for (int i = 0; i < value.size(); i++) {
                    check(schema.get("items"), value.get(i), path + "/" + i, out);
                }
            }
        }
        if (value.isTextual()) {
            if (schema.has("minLength") && value.asText().length() < schema.get("minLength").asInt()) {
                out.add(new Violation(path, "must not be empty"));
            }
            if (schema.has("maxLength") && value.asText().length() > schema.get("maxLength").asInt()) {
                out.add(new Violation(path, "must have at most " + schema.get("maxLength").asInt() + " characters, has "
                        + value.asText().length()));
                return;
            }
            if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                out.add(new Violation(path, "'" + quote(value.asText()) + "' must match "
                        + schema.get("pattern").asText()));
            }
        }
        if (value.isNumber()) {
            double v = value.asDouble();
            if (!Double.isFinite(v)) {
                out.add(new Violation(path, "must be a finite number, is " + quote(value.toString())));
                return;
            }
            if (schema.has("minimum") && v < schema.get("minimum").asDouble()) {
                out.add(new Violation(path, "must be at least " + schema.get("minimum") + ", is " + value));
            }
            if (schema.has("maximum") && v > schema.get("maximum").asDouble()) {
                out.add(new Violation(path, "must be at most " + schema.get("maximum") + ", is " + value));
            }
            if (schema.has("exclusiveMinimum") && v <= schema.get("exclusiveMinimum").asDouble()) {
                out.add(new Violation(path, "must be greater than " + schema.get("exclusiveMinimum") + ", is " + value));
            }
        }
        if (schema.has("oneOf")) {
            int matched = 0;
            for (JsonNode alternative : schema.get("oneOf")) {
                List<Violation> trial = new ArrayList<>();
                check(alternative, value, path, trial);
                matched += trial.isEmpty() ? 1 : 0;
            }
            if (matched != 1) {
                out.add(new Violation(path, oneOfMessage(schema.get("oneOf"), value, matched)));
            }
        }
        if (schema.has("not")) {
            List<Violation> trial = new ArrayList<>();
            check(schema.get("not"), value, path, trial);
            if (trial.isEmpty()) {
                out.add(new Violation(path, "must not match " + schema.get("not")));
            }
        }
    }

    /** A value as messages quote it: at most {@value #QUOTED} characters. */
    static String quote(String text) {
        return text.length() <= QUOTED ? text : text.substring(0, QUOTED) + "… (" + text.length() + " characters)";
    }

    private void checkObject(JsonNode schema, JsonNode value, String path, List<Violation> out) {
        if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
            out.add(new Violation(path, "must have at most " + schema.get("maxProperties").asInt() + " fields, has "
                    + value.size()));
            return;
        }
        if (schema.has("required")) {
            for (JsonNode name : schema.get("required")) {
                if (!value.has(name.asText())) {
                    out.add(new Violation(path, "missing required field '" + name.asText() + "'"));
                }
            }
        }
        JsonNode properties = schema.path("properties");
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String childPath = path + "/" + field.getKey();
            if (properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), childPath, out);
            } else if (schema.has("additionalProperties")) {
                JsonNode additional = schema.get("additionalProperties");
                if (additional.isBoolean() && !additional.asBoolean()) {
                    out.add(new Violation(path, "unknown field '" + field.getKey() + "'"
                            + (properties.isObject() && properties.size() > 0 ? "; known: " + names(properties) : "")));
                } else if (additional.isObject()) {
                    check(additional, field.getValue(), childPath, out);
                }
            }
        }
    }

    /** Alternatives that each require one field read as "exactly one of these fields", which users understand. */
    private static String oneOfMessage(JsonNode alternatives, JsonNode value, int matched) {
        List<String> names = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (JsonNode alternative : alternatives) {
            JsonNode required = alternative.path("required");
            if (required.size() != 1) {
                return "must match exactly one of " + alternatives.size() + " alternatives, matches " + matched;
            }
            String name = required.get(0).asText();
            names.add(name);
            if (value.has(name)) {
                present.add(name);
            }
        }
        return "must have exactly one of " + String.join(", ", names)
                + (present.isEmpty() ? " (has none)" : " (has " + String.join(" and ", present) + ")");
    }

    private JsonNode resolve(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException("only local $refs are supported: " + ref);
        }
        JsonNode node = root;
        for (String part : ref.substring(2).split("/")) {
            node = node.path(part);
        }
        if (node.isMissingNode()) {
            throw new IllegalArgumentException("$ref " + ref + " points nowhere");
        }
        return node;
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t, value)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()));
            case "null" -> value.isNull();
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }

    private static String typeName(JsonNode type) {
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.forEach(t -> names.add(article(t.asText())));
            return String.join(" or ", names);
        }
        return article(type.asText());
    }

    private static String article(String type) {
        return switch (type) {
            case "object", "array", "integer" -> "an " + type;
            default -> "a " + type;
        };
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "an array";
        }
        return quote(value.isTextual() ? "the string " + value : value.toString());
    }

    private static String names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static void checkKeywords(JsonNode schema, String where) {
        if (!schema.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            if (!CHECKED.contains(key) && !ANNOTATIONS.contains(key)) {
                throw new IllegalArgumentException("schema keyword '" + key + "' at " + where + " is not checked by this validator");
            }
            switch (key) {
                case "properties", "$defs" -> f.getValue().fields().forEachRemaining(
                        p -> checkKeywords(p.getValue(), where + "/" + key + "/" + p.getKey()));
                case "items", "not", "additionalProperties" -> checkKeywords(f.getValue(), where + "/" + key);
                case "oneOf" -> {
                    int i = 0;
                    for (JsonNode alternative : f.getValue()) {
                        checkKeywords(alternative, where + "/oneOf/" + i++);
                    }
                }
                default -> {
                }
            }
        }
    }
}
