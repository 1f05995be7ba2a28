package io.penni.shrinker.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.model.ModelException;
import io.penni.shrinker.LayerShrink;
import io.penni.shrinker.Selection;
import io.penni.shrinker.ShrinkPlan;

/** A {@link ShrinkPlan} as JSON, one layer per line. */
public final class PlanJson {

    /** The value of the {@code format} field. */
    public static final String FORMAT = "penni-shrink-plan";

    private static final int VERSION = 1;

    // duplicate keys would silently merge two layers' entries
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private PlanJson() {
    }

    /**
     * Writes a plan.
     *
     * @param plan the plan
     * @return JSON text ending with a newline
     */
    public static String write(ShrinkPlan plan) {
        StringBuilder out = new StringBuilder("{\n");
        out.append("  \"format\": \"").append(FORMAT).append("\",\n");
        out.append("  \"version\": ").append(VERSION).append(",\n");
        out.append("  \"network\": ").append(MAPPER.getNodeFactory().textNode(plan.network())).append(",\n");
        out.append("  \"layers\": [\n");
        for (int i = 0; i < plan.layers().size(); i++) {
            LayerShrink layer = plan.layers().get(i);
            ObjectNode node = MAPPER.createObjectNode();
            node.put("name", layer.layer());
            node.set("outputs", selection(layer.outputs()));
            node.set("inputs", selection(layer.inputs()));
            node.set("bases", selection(layer.bases()));
            out.append("    ").append(node).append(i + 1 < plan.layers().size() ? ",\n" : "\n");
        }
        return out.append("  ]\n}\n").toString();
    }

    private static ObjectNode selection(Selection selection) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("before", selection.before());
        ArrayNode kept = node.putArray("kept");
        selection.kept().forEach(kept::add);
        return node;
    }

    /**
     * Reads a plan.
     *
     * @param json the text
     * @param source how to name it in messages
     * @return the plan
     * @throws ModelException naming the source, the layer and what is wrong
     */
    public static ShrinkPlan read(byte[] json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelException(source + ": not valid JSON: "
                    + e.getOriginalMessage().lines().findFirst().orElse("invalid JSON"));
        } catch (IOException e) {
            throw new ModelException(source + ": cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").textValue())) {
            throw new ModelException(source + ": not a shrink plan (it needs \"format\": \"" + FORMAT + "\")");
        }
        if (root.path("version").intValue() != VERSION) {
            throw new ModelException(source + ": shrink plan version " + root.path("version")
                    + " is not supported (" + VERSION + " is)");
        }
        if (!root.path("network").isTextual() || !root.path("layers").isArray()) {
            throw new ModelException(source + ": a shrink plan needs \"network\" (text) and \"layers\" (an array)");
        }
        List<LayerShrink> layers = new ArrayList<>();
        for (JsonNode node : root.path("layers")) {
            String name = node.path("name").isTextual() ? node.path("name").textValue() : "#" + layers.size();
            try {
                layers.add(new LayerShrink(name, selection(node, "outputs"), selection(node, "inputs"),
                        selection(node, "bases")));
            } catch (IllegalArgumentException e) {
                throw new ModelException(source + ": layer " + name + ": " + e.getMessage());
            }
        }
        try {
            return new ShrinkPlan(root.path("network").textValue(), layers);
        } catch (IllegalArgumentException e) {
            throw new ModelException(source + ": " + e.getMessage());
        }
    }

    private static Selection selection(JsonNode layer, String field) {
        JsonNode node = layer.path(field);
        if (!node.path("before").canConvertToInt() || !node.path("before").isIntegralNumber()
                || !node.path("kept").isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" needs \"before\" (an integer) and \"kept\" "
                    + "(an array of indices)");
        }
        List<Integer> kept = new ArrayList<>();
        for (JsonNode index : node.path("kept")) {
            if (!index.isIntegralNumber() || !index.canConvertToInt()) {
                throw new IllegalArgumentException("\"" + field + "\" has a kept index that is not an integer: "
                        + index);
            }
            kept.add(index.intValue());
        }
        return new Selection(node.path("before").intValue(), kept);
    }
}
