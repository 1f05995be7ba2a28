package io.penni.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Tensor;

/**
 * Model files: a graph {@code NAME.json} ({@link GraphJson}) with its weights beside it in
 * {@code NAME.safetensors} ({@link SafeTensors}), every parameter a float32 tensor named
 * {@code layer.parameter}. The safetensors metadata records the format and the network's name.
 */
public final class ModelFiles {

    private static final String GRAPH_SUFFIX = ".json";
    private static final String WEIGHTS_SUFFIX = ".safetensors";

    private ModelFiles() {
    }

    /**
     * Where a graph file's weights are.
     *
     * @param graph a graph file, {@code NAME.json}
     * @return {@code NAME.safetensors} in the same folder
     * @throws ModelException if the name does not end in {@code .json}
     */
    public static Path weightsOf(Path graph) {
        String name = graph.getFileName().toString();
        if (!name.endsWith(GRAPH_SUFFIX) || name.length() == GRAPH_SUFFIX.length()) {
            throw new ModelException(graph + ": a model's graph file must be named NAME" + GRAPH_SUFFIX);
        }
        return graph.resolveSibling(name.substring(0, name.length() - GRAPH_SUFFIX.length()) + WEIGHTS_SUFFIX);
    }

    /**
     * Saves a model: the weights first, then the graph, each written whole or not at all, so a graph file
     * that exists has its weights beside it.
     *
     * @param model a valid model
     * @param graph the graph file to write, {@code NAME.json}; {@code NAME.safetensors} is written beside it
     * @throws ModelException if the model is invalid or a file cannot be written
     */
    public static void save(Model model, Path graph) {
        ModelParameters.validate(model);
        Path weights = weightsOf(graph);
        Network network = model.network();
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (String name : ModelParameters.required(network).keySet()) {
            tensors.put(name, new StoredTensor.F32(model.parameters().get(name)));
        }
        SafeTensors.write(weights, new TensorFile(tensors,
                Map.of("format", GraphJson.FORMAT, "network", network.name())));
        Path temporary = graph.resolveSibling(graph.getFileName() + ".partial");
        try {
            Files.write(temporary, GraphJson.bytes(network));
            Files.move(temporary, graph, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the write failure is the one to report
            }
            throw new ModelException(graph + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a model with {@link FileLimits#DEFAULT}.
     *
     * @param graph the graph file, {@code NAME.json}
     * @return the model
     * @throws ModelException naming the file, layer and tensor at the first problem
     */
    public static Model load(Path graph) {
        return load(graph, FileLimits.DEFAULT);
    }

    /**
     * Loads a model: reads and validates the graph, checks the weight file's header against the file and
     * against the parameters the graph needs (every one present as F32 with exactly its shape, nothing else),
     * and only then reads the tensors.
     *
     * @param graph the graph file, {@code NAME.json}
     * @param limits the largest files accepted
     * @return the model
     * @throws ModelException naming the file, layer and tensor at the first problem
     */
    public static Model load(Path graph, FileLimits limits) {
        Network network = GraphJson.read(graph, limits);
        Map<String, int[]> required = ModelParameters.required(network);
        Path weights = weightsOf(graph);
        try (SafeTensorsReader reader = SafeTensors.open(weights, limits)) {
            Map<String, TensorEntry> entries = reader.entries();
            for (Map.Entry<String, int[]> need : required.entrySet()) {
                checkEntry(weights, entries.get(need.getKey()), need.getKey(), need.getValue());
            }
            for (String name : entries.keySet()) {
                if (!required.containsKey(name)) {
                    throw new ModelException(weights + ": tensor '" + name + "' is not a parameter of network "
                            + network.name() + " (graph " + graph.getFileName() + ")");
                }
            }
            Map<String, Tensor> parameters = new LinkedHashMap<>();
            for (String name : required.keySet()) {
                Tensor tensor = reader.readF32(name);
                checkFinite(weights, name, tensor);
                parameters.put(name, tensor);
            }
            return new Model(network, parameters);
        }
    }

    /** A NaN or infinite weight makes every output that reads it meaningless: refused, naming where it is. */
    private static void checkFinite(Path weights, String name, Tensor tensor) {
        float[] data = tensor.data();
        int bad = 0;
        int first = -1;
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                bad++;
                first = first < 0 ? i : first;
            }
        }
        if (bad > 0) {
            throw new ModelException(weights + ": tensor '" + name + "' has " + bad + " non-finite value"
                    + (bad == 1 ? "" : "s") + " (NaN or infinite; the first at element " + first + "); layer "
                    + ModelParameters.layerOf(name) + " cannot use it");
        }
    }

    private static void checkEntry(Path weights, TensorEntry entry, String name, int[] shape) {
        String layer = ModelParameters.layerOf(name);
        if (entry == null) {
            throw new ModelException(weights + ": tensor '" + name + "' is missing; layer " + layer
                    + " needs it as F32 " + Arrays.toString(shape));
        }
        if (entry.dtype() != DType.F32) {
            throw new ModelException(weights + ": tensor '" + name + "' is " + entry.dtype() + "; layer " + layer
                    + " needs F32");
        }
        if (!Arrays.equals(entry.shape(), shape)) {
            throw new ModelException(weights + ": tensor '" + name + "' has shape " + Arrays.toString(entry.shape())
                    + "; layer " + layer + " needs " + Arrays.toString(shape));
        }
    }
}
