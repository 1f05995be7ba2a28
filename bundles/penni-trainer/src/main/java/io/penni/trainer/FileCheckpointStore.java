package io.penni.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.model.Tensor;
import io.penni.model.FileLimits;
import io.penni.model.ModelException;
import io.penni.model.SafeTensors;
import io.penni.model.StoredTensor;
import io.penni.model.TensorFile;

/**
 * Keeps a run's latest checkpoint as one safetensors file, {@code checkpoint.safetensors} in a folder:
 * parameters under {@code param/<name>}, momentum under {@code velocity/<name>}, and the phase, the finished
 * epochs and the epoch history as JSON in the metadata. One file, replaced atomically, so a crash at any moment
 * leaves a complete checkpoint.
 */
public final class FileCheckpointStore implements CheckpointStore {

    /** The checkpoint's file name. */
    public static final String FILE = "checkpoint.safetensors";
    private static final String PARAM = "param/";
    private static final String VELOCITY = "velocity/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    /**
     * Creates a store in a folder.
     *
     * @param folder the run's folder (created on first save)
     */
    public FileCheckpointStore(Path folder) {
        this.file = folder.resolve(FILE);
    }

    /** @return the checkpoint file this store writes */
    public Path file() {
        return file;
    }

    @Override
    public Optional<Checkpoint> latest() throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(read(file));
    }

    /**
     * Reads a checkpoint file this store wrote (here or on another host).
     *
     * @param file the file
     * @return the checkpoint
     * @throws IOException when it cannot be read or is not a checkpoint
     */
    public static Checkpoint read(Path file) throws IOException {
        TensorFile content;
        try {
            content = SafeTensors.read(file, FileLimits.DEFAULT);
        } catch (ModelException e) {
            throw new IOException("checkpoint " + file + " cannot be read: " + e.getMessage(), e);
        }
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        Map<String, Tensor> velocity = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : content.tensors().entrySet()) {
            if (!(e.getValue() instanceof StoredTensor.F32 f32)) {
                throw new IOException("checkpoint " + file + ": tensor " + e.getKey() + " is not F32");
            }
            if (e.getKey().startsWith(PARAM)) {
                parameters.put(e.getKey().substring(PARAM.length()), f32.tensor());
            } else if (e.getKey().startsWith(VELOCITY)) {
                velocity.put(e.getKey().substring(VELOCITY.length()), f32.tensor());
            }
        }
        Map<String, String> meta = content.metadata();
        try {
            return new Checkpoint(meta.get("phase"), Integer.parseInt(meta.get("completedEpochs")),
                    parameters, velocity, history(JSON.readTree(meta.get("history"))),
                    meta.getOrDefault("startedFrom", ""));
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + file + " has malformed metadata: " + e.getMessage(), e);
        }
    }

    @Override
    public void save(Checkpoint checkpoint) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        checkpoint.parameters().forEach((k, v) -> tensors.put(PARAM + k, new StoredTensor.F32(v)));
        checkpoint.velocity().forEach((k, v) -> tensors.put(VELOCITY + k, new StoredTensor.F32(v)));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("phase", checkpoint.phase());
        meta.put("completedEpochs", String.valueOf(checkpoint.completedEpochs()));
        meta.put("history", JSON.writeValueAsString(json(checkpoint.history())));
        meta.put("startedFrom", checkpoint.startedFrom());
        try {
            SafeTensors.write(file, new TensorFile(tensors, meta));
        } catch (ModelException e) {
            throw new IOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The epoch history as JSON, as reports and learning-curve files carry it.
     *
     * @param history the epochs
     * @return a JSON array of objects
     */
    public static ArrayNode json(List<EpochReport> history) {
        ArrayNode array = JSON.createArrayNode();
        for (EpochReport r : history) {
            ObjectNode o = array.addObject();
            o.put("phase", r.phase());
            o.put("epoch", r.epoch());
            o.put("epochs", r.epochs());
            o.put("learningRate", r.learningRate());
            o.put("training", r.training());
            o.put("loss", r.loss());
            o.put("accuracy", r.accuracy());
            r.testAccuracy().ifPresent(v -> o.put("testAccuracy", v));
            r.testLoss().ifPresent(v -> o.put("testLoss", v));
            o.put("zeroCoefficients", r.zeroCoefficients());
            o.put("stdRuleSparsity", r.stdRuleSparsity());
            o.put("imagesPerSecond", r.imagesPerSecond());
            o.put("seconds", r.seconds());
        }
        return array;
    }

    private static List<EpochReport> history(JsonNode array) {
        List<EpochReport> history = new ArrayList<>();
        for (JsonNode o : array) {
            history.add(new EpochReport(o.get("phase").asText(), o.get("epoch").asInt(), o.get("epochs").asInt(),
                    o.get("learningRate").asDouble(), o.get("training").asText(), o.get("loss").asDouble(),
                    o.get("accuracy").asDouble(), optional(o, "testAccuracy"), optional(o, "testLoss"),
                    o.get("zeroCoefficients").asDouble(), o.get("stdRuleSparsity").asDouble(),
                    o.get("imagesPerSecond").asDouble(), o.get("seconds").asDouble()));
        }
        return history;
    }

    private static OptionalDouble optional(JsonNode o, String field) {
        return o.has(field) ? OptionalDouble.of(o.get(field).asDouble()) : OptionalDouble.empty();
    }
}
