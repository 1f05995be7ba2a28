package io.penni.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.model.Model;

/**
 * Models as stage inputs and outputs: a stage reads the model named by its {@value #MODEL} input and writes
 * {@code <stage>/model.json} with {@code <stage>/model.safetensors} beside it, returned as the outputs
 * {@value #MODEL} and {@value #WEIGHTS}. The weights are stored first and the graph last, so a stored graph
 * means the stage's model is complete: that is what {@link #find} relies on to make stages idempotent.
 */
public final class ModelArtifacts {

    /** The input and output naming a model's graph file. */
    public static final String MODEL = "model";

    /** The output naming a model's weights file, which lies beside its graph file. */
    public static final String WEIGHTS = "weights";

    private ModelArtifacts() {
    }

    /**
     * The name a stage stores its model's graph under.
     *
     * @param stage the stage's name
     * @return {@code <stage>/model.json}
     */
    public static String graphName(String stage) {
        return stage + "/model.json";
    }

    /**
     * The name a stage stores its model's weights under.
     *
     * @param stage the stage's name
     * @return {@code <stage>/model.safetensors}
     */
    public static String weightsName(String stage) {
        return stage + "/model.safetensors";
    }

    /**
     * Loads the model a stage's inputs name. The {@value #MODEL} input is the graph file; its weights are read
     * from beside it. When a {@value #WEIGHTS} input is given too, its checksum is checked and it must be that
     * file.
     *
     * @param store the artifact store
     * @param inputs the stage's inputs
     * @return the model
     * @throws ModelException if the input is missing or the model files are invalid, naming the file
     * @throws IOException if the store cannot give a file or its checksum does not match
     */
    public static Model load(ArtifactStore store, Map<String, ArtifactRef> inputs) throws IOException {
        return load(store, inputs, MODEL);
    }

    /**
     * Loads a model named among artifacts: {@code graph} names its graph file and {@code <graph>.weights} (for
     * {@value #MODEL}: {@value #WEIGHTS}) its weights. Both are opened through the store, so a store that fetches
     * files from elsewhere (S3) has the weights beside the graph; the weights must be the file beside the graph.
     *
     * @param store the artifact store
     * @param artifacts a stage's inputs or outputs
     * @param graph the graph's name among them, e.g. {@value #MODEL} or {@code baseline}
     * @return the model
     * @throws ModelException if the graph is missing or the model files are invalid, naming the file
     * @throws IOException if the store cannot give a file or its checksum does not match
     */
    public static Model load(ArtifactStore store, Map<String, ArtifactRef> artifacts, String graph)
            throws IOException {
        ArtifactRef graphRef = artifacts.get(graph);
        if (graphRef == null) {
            throw new ModelException("input '" + graph + "' is missing: the stage needs the model's graph file "
                    + "(NAME.json with NAME.safetensors beside it); it was given " + artifacts.keySet());
        }
        Path graphFile = store.open(graphRef);
        ArtifactRef weightsRef = artifacts.get(MODEL.equals(graph) ? WEIGHTS : graph + "." + WEIGHTS);
        if (weightsRef != null) {
            Path weights = store.open(weightsRef);
            if (!weights.equals(ModelFiles.weightsOf(graphFile))) {
                throw new ModelException("input '" + WEIGHTS + "' (" + weightsRef.uri() + ") is not the weights file "
                        + "beside the graph " + graphRef.uri());
            }
        }
        return ModelFiles.load(graphFile);
    }

    /**
     * Stores a model as a stage's output: the weights, then the graph.
     *
     * @param store the artifact store
     * @param jobId the job
     * @param stage the stage's name, the folder of its outputs
     * @param model a valid model
     * @param scratch a folder for the files before they are stored (the stage's work folder)
     * @return the outputs {@value #MODEL} and {@value #WEIGHTS}
     * @throws ModelException if the model is invalid
     * @throws IOException if the files cannot be written or stored
     */
    public static Map<String, ArtifactRef> save(ArtifactStore store, String jobId, String stage, Model model,
            Path scratch) throws IOException {
        Path graph = scratch.resolve(stage + "-model.json");
        Path weights = ModelFiles.weightsOf(graph);
        try {
            ModelFiles.save(model, graph);
            ArtifactRef weightsRef = store.put(jobId, weightsName(stage), weights);
            ArtifactRef graphRef = store.put(jobId, graphName(stage), graph);
            return Map.of(MODEL, graphRef, WEIGHTS, weightsRef);
        } finally {
            Files.deleteIfExists(graph);
            Files.deleteIfExists(weights);
        }
    }

    /**
     * The model a stage stored for a job before, if it stored it whole.
     *
     * @param store the artifact store
     * @param jobId the job
     * @param stage the stage's name
     * @return the outputs {@value #MODEL} and {@value #WEIGHTS}, or empty when the graph or the weights are not
     *         stored
     */
    public static Optional<Map<String, ArtifactRef>> find(ArtifactStore store, String jobId, String stage) {
        Optional<ArtifactRef> graph = store.find(jobId, graphName(stage));
        Optional<ArtifactRef> weights = store.find(jobId, weightsName(stage));
        if (graph.isEmpty() || weights.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Map.of(MODEL, graph.get(), WEIGHTS, weights.get()));
    }
}
