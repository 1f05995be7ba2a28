package io.penni.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.penni.api.model.Layer;
import io.penni.api.model.Network;
import io.penni.model.internal.Json;
import io.penni.model.internal.LayerJson;

/**
 * A network graph as JSON, the {@code model.json} of a model file:
 *
 * <pre>
 * {
 *   "format": "penni-model",
 *   "version": 1,
 *   "name": "resnet18-cifar",
 *   "output": "fc",
 *   "layers": [
 *     {"type":"input","name":"input","channels":3,"height":32,"width":32},
 *     {"type":"conv2d","name":"conv1","input":"input","outChannels":64,"inChannels":3,"kernel":3,...},
 *     ...
 *   ]
 * }
 * </pre>
 *
 * Each layer's {@code type} is one of {@code input, conv2d, decomposed_conv2d, batch_norm, relu, clipped_relu, pool,
 * global_avg_pool, add, flatten, linear, dropout}; its other fields are the components of the matching
 * {@link Layer} record, by name. One layer per line, so graphs diff well.
 */
public final class GraphJson {

    /** The value of the {@code format} field. */
    public static final String FORMAT = "penni-model";

    /** The format version this code writes and the newest it reads. */
    public static final int VERSION = 1;

    private static final Set<String> FIELDS = Set.of("format", "version", "name", "output", "layers");

    private GraphJson() {
    }

    /**
     * Writes a network as JSON text.
     *
     * @param network a valid network
     * @return the JSON text, ending with a newline
     * @throws ModelException if the network is invalid
     */
    public static String write(Network network) {
        NetworkShapes.infer(network);
        StringBuilder out = new StringBuilder("{\n");
        out.append("  \"format\": ").append(quote(FORMAT)).append(",\n");
        out.append("  \"version\": ").append(VERSION).append(",\n");
        out.append("  \"name\": ").append(quote(network.name())).append(",\n");
        out.append("  \"output\": ").append(quote(network.output())).append(",\n");
        out.append("  \"layers\": [\n");
        List<Layer> layers = network.layers();
        for (int i = 0; i < layers.size(); i++) {
            out.append("    ").append(LayerJson.write(layers.get(i)).toString())
                    .append(i + 1 < layers.size() ? ",\n" : "\n");
        }
        return out.append("  ]\n}\n").toString();
    }

    /**
     * Reads a network from JSON text and validates it ({@link NetworkShapes#infer}).
     *
     * @param json the text (UTF-8)
     * @param source how to name the text in messages, e.g. its file name
     * @return the network
     * @throws ModelException naming the source, the layer and the field at the first problem
     */
    public static Network read(byte[] json, String source) {
        JsonNode root;
        try {
            root = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new ModelException(source + ": not valid JSON: " + Json.problem(e));
        }
        if (!root.isObject() || !FORMAT.equals(root.path("format").textValue())) {
            throw new ModelException(source + ": not a PENNI model graph (it needs \"format\": \"" + FORMAT + "\")");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new ModelException(source + ": unknown field '" + field + "'; a graph has " + FIELDS);
            }
        }
        JsonNode version = root.path("version");
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() < 1) {
            throw new ModelException(source + ": \"version\" must be a positive integer, was " + version);
        }
        if (version.intValue() > VERSION) {
            throw new ModelException(source + ": format version " + version.intValue()
                    + " is newer than this reader understands (" + VERSION + "); update PENNI");
        }
        String name = text(root, "name", source);
        String output = text(root, "output", source);
        JsonNode layerNodes = root.path("layers");
        if (!layerNodes.isArray()) {
            throw new ModelException(source + ": \"layers\" must be an array of layers");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerNodes.size(); i++) {
            JsonNode node = layerNodes.get(i);
            try {
                layers.add(LayerJson.read(node));
            } catch (IllegalArgumentException e) {
                String layer = node.path("name").isTextual() ? " ('" + node.path("name").textValue() + "')" : "";
                throw new ModelException(source + ": layer " + i + layer + ": " + e.getMessage());
            }
        }
        Network network = new Network(name, layers, output);
        try {
            NetworkShapes.infer(network);
        } catch (ModelException e) {
            throw new ModelException(source + ": " + e.getMessage());
        }
        return network;
    }

    /**
     * Reads a network from a JSON file and validates it.
     *
     * @param file the file
     * @param limits its largest accepted size ({@link FileLimits#maxJsonBytes()})
     * @return the network
     * @throws ModelException naming the file at the first problem
     */
    public static Network read(Path file, FileLimits limits) {
        try {
            long size = Files.size(file);
            if (size > limits.maxJsonBytes()) {
                throw new ModelException(file + ": " + size + " bytes is more than the limit of "
                        + limits.maxJsonBytes() + " bytes for a graph");
            }
            return read(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": no such file");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode root, String field, String source) {
        JsonNode node = root.path(field);
        if (!node.isTextual()) {
            throw new ModelException(source + ": \"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    private static String quote(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string is always writable", e);
        }
    }

    /**
     * The UTF-8 bytes of {@link #write(Network)}.
     *
     * @param network a valid network
     * @return the bytes
     */
    static byte[] bytes(Network network) {
        return write(network).getBytes(StandardCharsets.UTF_8);
    }
}
