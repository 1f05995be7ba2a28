package io.penni.workflow.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.pipeline.CompressionRequests;

/**
 * A corpus of requests the intake must refuse, each with a name saying what is wrong with it: hand-written classes
 * (not JSON, JSON of the wrong kind, deep nesting, absurd numbers, path traversal, unknown strategies and backends,
 * odd job ids, oversize values) and, generated from the request schema itself with a fixed seed, every field of a
 * valid request given a value its schema refuses (the wrong type, below its minimum, above its maximum, not in its
 * enum, longer than its limit, a fraction for an integer). Generated cases are refused by construction: each breaks
 * a rule the schema states.
 */
final class HostileRequests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** A request the intake accepts when the data set is installed. */
    static final String VALID = "{\"model\": {\"architecture\": \"vgg-small\"}, \"dataset\": {\"format\": "
            + "\"fashion-mnist\", \"path\": \"fashion-mnist\", \"trainLimit\": 256, \"testLimit\": 128}, "
            + "\"pretrain\": {\"epochs\": 1}, \"penni\": {\"retrain\": {\"epochs\": 1}, \"finetune\": {\"epochs\": 1}}, "
            + "\"evaluation\": {\"backends\": [\"cpu\"], "
            + "\"batchSizes\": [1]}}";

    private HostileRequests() {
    }

    /** @return every hostile request by name, hand-written ones first, in a fixed order */
    static Map<String, byte[]> all() {
        Map<String, byte[]> all = new LinkedHashMap<>(handWritten());
        all.putAll(generated(new Random(20261205)));
        return all;
    }

    private static Map<String, byte[]> handWritten() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("empty", "");
        c.put("blank", "   \n ");
        c.put("open brace", "{");
        c.put("json null", "null");
        c.put("json true", "true");
        c.put("json number", "42");
        c.put("json string", "\"vgg-small\"");
        c.put("json array", "[" + VALID + "]");
        c.put("empty object", "{}");
        c.put("trailing garbage", VALID + " }");
        c.put("two documents", VALID + VALID);
        c.put("single quotes", VALID.replace('"', '\''));
        c.put("comment", "/* hi */ " + VALID);
        c.put("deep arrays", "[".repeat(5000) + "]".repeat(5000));
        c.put("deep objects", "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
        c.put("deep in a field", "{\"deep\": " + "[".repeat(2000) + "]".repeat(2000) + ", " + VALID.substring(1));
        c.put("model as string", VALID.replace("{\"architecture\": \"vgg-small\"}", "\"vgg-small\""));
        c.put("model both kinds", VALID.replace("{\"architecture\": \"vgg-small\"}",
                "{\"architecture\": \"vgg-small\", \"path\": \"m.json\"}"));
        c.put("model neither kind", VALID.replace("{\"architecture\": \"vgg-small\"}", "{}"));
        c.put("unknown architecture", VALID.replace("vgg-small", "vgg-enormous"));
        c.put("architecture traversal", VALID.replace("vgg-small", "../../etc/passwd"));
        c.put("model path traversal", VALID.replace("{\"architecture\": \"vgg-small\"}",
                "{\"path\": \"../../../../etc/passwd\"}"));
        c.put("model absolute path", VALID.replace("{\"architecture\": \"vgg-small\"}", "{\"path\": \"/etc/passwd\"}"));
        c.put("dataset traversal", VALID.replace("\"path\": \"fashion-mnist\"", "\"path\": \"../../../etc\""));
        c.put("dataset absolute", VALID.replace("\"path\": \"fashion-mnist\"", "\"path\": \"/etc\""));
        c.put("dataset missing", VALID.replace("\"path\": \"fashion-mnist\"", "\"path\": \"no-such-set\""));
        c.put("dataset device", VALID.replace("\"path\": \"fashion-mnist\"", "\"path\": \"/dev/zero\""));
        c.put("unknown format", VALID.replace("\"format\": \"fashion-mnist\"", "\"format\": \"svhn\""));
        c.put("unknown strategy", VALID.replace("\"model\": {", "\"pruning\": {\"strategy\": \"nope\"}, \"model\": {"));
        c.put("strategy traversal", VALID.replace("\"model\": {",
                "\"pruning\": {\"strategy\": \"../std-threshold\"}, \"model\": {"));
        c.put("empty strategy", VALID.replace("\"model\": {", "\"pruning\": {\"strategy\": \"\"}, \"model\": {"));
        c.put("unknown backend", VALID.replace("[\"cpu\"]", "[\"gpu9\"]"));
        c.put("empty backend", VALID.replace("[\"cpu\"]", "[\"\"]"));
        c.put("no backends", VALID.replace("[\"cpu\"]", "[]"));
        c.put("epochs 1e12", VALID.replace("\"retrain\": {\"epochs\": 1}", "\"retrain\": {\"epochs\": 1000000000000}"));
        c.put("epochs negative", VALID.replace("\"pretrain\": {\"epochs\": 1}", "\"pretrain\": {\"epochs\": -1}"));
        c.put("epochs fraction", VALID.replace("\"pretrain\": {\"epochs\": 1}", "\"pretrain\": {\"epochs\": 1.5}"));
        c.put("epochs as text", VALID.replace("\"pretrain\": {\"epochs\": 1}", "\"pretrain\": {\"epochs\": \"1\"}"));
        c.put("bases 1e9", VALID.replace("\"penni\": {", "\"penni\": {\"bases\": 1000000000, "));
        c.put("bases 1e400", VALID.replace("\"penni\": {", "\"penni\": {\"bases\": 1e400, "));
        c.put("bases -1e400", VALID.replace("\"penni\": {", "\"penni\": {\"bases\": -1e400, "));
        c.put("bases zero", VALID.replace("\"penni\": {", "\"penni\": {\"bases\": 0, "));
        c.put("l1 1e308", VALID.replace("\"penni\": {", "\"penni\": {\"l1\": 1e308, "));
        c.put("seed 1e30", VALID.replace("\"model\": {", "\"seed\": 1000000000000000000000000000000, \"model\": {"));
        c.put("batch sizes huge", VALID.replace("\"batchSizes\": [1]", "\"batchSizes\": [1000000000000]"));
        c.put("batch sizes many", VALID.replace("\"batchSizes\": [1]", "\"batchSizes\": [" + "1,".repeat(1000) + "1]"));
        c.put("job id with spaces", VALID.replace("\"model\": {", "\"jobId\": \"a b\", \"model\": {"));
        c.put("job id traversal", VALID.replace("\"model\": {", "\"jobId\": \"../../x\", \"model\": {"));
        c.put("job id empty", VALID.replace("\"model\": {", "\"jobId\": \"\", \"model\": {"));
        c.put("job id number", VALID.replace("\"model\": {", "\"jobId\": 5, \"model\": {"));
        c.put("job id long", VALID.replace("\"model\": {", "\"jobId\": \"" + "j".repeat(300) + "\", \"model\": {"));
        c.put("job id unicode", VALID.replace("\"model\": {", "\"jobId\": \"ünïcödé\", \"model\": {"));
        c.put("unknown field", VALID.replace("\"model\": {", "\"colour\": \"blue\", \"model\": {"));
        c.put("near 1 MB string", VALID.replace("vgg-small", "v".repeat(1_000_000 - 400)));
        c.put("60 KB string", VALID.replace("vgg-small", "v".repeat(60_000)));
        Map<String, byte[]> out = new LinkedHashMap<>();
        c.forEach((name, text) -> out.put(name, text.getBytes(StandardCharsets.UTF_8)));
        out.put("not UTF-8", new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b, 0x00, (byte) 0xc3, 0x28});
        out.put("NUL bytes", new byte[64]);
        return out;
    }

    /** Every field of the valid request, given values its schema refuses. */
    private static Map<String, byte[]> generated(Random random) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        JsonNode schema = CompressionRequests.schema();
        ObjectNode valid;
        try {
            valid = (ObjectNode) JSON.readTree(VALID);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        List<String[]> fields = new ArrayList<>();
        collect(schema, schema, "", "", fields);
        for (String[] field : fields) {
            String path = field[0];
            JsonNode rule = resolve(schema, schema.at(field[1]));
            for (JsonNode bad : refused(rule, random)) {
                ObjectNode request = valid.deepCopy();
                set(request, path, bad);
                out.put("generated " + path + " = " + cut(bad.toString()), bytes(request));
            }
        }
        return out;
    }

    /** Collects (instance path, schema pointer) of every leaf property, through $refs. */
    private static void collect(JsonNode root, JsonNode node, String path, String pointer, List<String[]> out) {
        JsonNode resolved = node;
        String at = pointer;
        if (node.has("$ref")) {
            at = node.get("$ref").asText().substring(1);
            resolved = root.at(at);
        }
        if (resolved.has("properties") && !path.isEmpty() && path.split("/").length > 3) {
            return; // deep enough: the augmentation's fields are leaves of their own
        }
        if (resolved.has("properties")) {
            Iterator<Map.Entry<String, JsonNode>> it = resolved.get("properties").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                collect(root, e.getValue(), path + "/" + e.getKey(), at + "/properties/" + e.getKey(), out);
            }
            return;
        }
        out.add(new String[] {path, at});
    }

    private static JsonNode resolve(JsonNode root, JsonNode node) {
        return node.has("$ref") ? root.at(node.get("$ref").asText().substring(1)) : node;
    }

    /** Values the rule refuses: always one of the wrong type, and each bound it states crossed. */
    private static List<JsonNode> refused(JsonNode rule, Random random) {
        List<JsonNode> bad = new ArrayList<>();
        String type = rule.path("type").isTextual() ? rule.get("type").asText() : rule.has("enum") ? "enum" : "any";
        switch (type) {
            case "integer" -> {
                bad.add(NODES.textNode(String.valueOf(random.nextInt(100))));
                bad.add(NODES.numberNode(random.nextInt(100) + 0.5));
                if (rule.has("minimum")) {
                    bad.add(NODES.numberNode(rule.get("minimum").asLong() - 1 - random.nextInt(1000)));
                }
                if (rule.has("maximum")) {
                    bad.add(NODES.numberNode(rule.get("maximum").asLong() + 1 + random.nextInt(1000)));
                    bad.add(NODES.numberNode(new java.math.BigDecimal("1e400")));
                }
            }
            case "number" -> {
                bad.add(NODES.booleanNode(random.nextBoolean()));
                if (rule.has("minimum")) {
                    bad.add(NODES.numberNode(rule.get("minimum").asDouble() - 1 - random.nextDouble()));
                }
                if (rule.has("exclusiveMinimum")) {
                    bad.add(NODES.numberNode(rule.get("exclusiveMinimum").asDouble()));
                }
                if (rule.has("maximum")) {
                    bad.add(NODES.numberNode(rule.get("maximum").asDouble() * (2 + random.nextInt(10))));
                }
            }
            case "string" -> {
                bad.add(NODES.numberNode(random.nextInt()));
                bad.add(NODES.arrayNode());
                if (rule.has("minLength")) {
                    bad.add(NODES.textNode(""));
                }
                if (rule.has("maxLength")) {
                    bad.add(NODES.textNode("x".repeat(rule.get("maxLength").asInt() + 1 + random.nextInt(50))));
                }
                if (rule.has("pattern")) {
                    bad.add(NODES.textNode("-not a match " + random.nextInt(1000)));
                }
            }
            case "boolean" -> {
                bad.add(NODES.textNode("true"));
                bad.add(NODES.numberNode(1));
            }
            case "array" -> {
                bad.add(NODES.textNode("[1]"));
                if (rule.has("minItems")) {
                    bad.add(NODES.arrayNode());
                }
                if (rule.has("maxItems")) {
                    ArrayNode many = NODES.arrayNode();
                    for (int i = 0; i <= rule.get("maxItems").asInt(); i++) {
                        many.add(1);
                    }
                    bad.add(many);
                }
                ArrayNode wrongItem = NODES.arrayNode();
                wrongItem.add(NODES.objectNode());
                bad.add(wrongItem);
            }
            case "object" -> {
                bad.add(NODES.numberNode(random.nextInt()));
                if (rule.has("maxProperties")) {
                    ObjectNode many = NODES.objectNode();
                    for (int i = 0; i <= rule.get("maxProperties").asInt(); i++) {
                        many.put("p" + i, 1);
                    }
                    bad.add(many);
                }
            }
            case "enum" -> {
                bad.add(NODES.textNode("not-one-of-them-" + random.nextInt(1000)));
                bad.add(NODES.nullNode());
            }
            default -> bad.add(NODES.nullNode());
        }
        return bad;
    }

    private static void set(ObjectNode request, String path, JsonNode value) {
        String[] parts = path.substring(1).split("/");
        ObjectNode node = request;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            node = next instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cut(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
