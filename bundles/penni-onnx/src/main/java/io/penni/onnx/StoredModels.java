package io.penni.onnx;

import java.nio.file.Path;

import io.penni.api.job.ModelSource;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.model.FileLimits;
import io.penni.model.GraphJson;
import io.penni.model.ModelException;
import io.penni.model.ModelFiles;

/**
 * Reads a stored model in any format a request may name: the one place that decides how, for the request intake
 * (which checks the model before a job starts) and the stage that starts the job from it.
 */
public final class StoredModels {

    private StoredModels() {
    }

    /**
     * @param file the model file
     * @param format its format
     * @return the model, valid
     * @throws ModelException naming the file and what is wrong
     */
    public static Model load(Path file, ModelSource.Format format) {
        return switch (format) {
            case PENNI -> ModelFiles.load(file, FileLimits.DEFAULT);
            case ONNX -> OnnxImport.read(file, FileLimits.DEFAULT);
        };
    }

    /**
     * The network alone, for checks that need no weights: a JSON model's graph without its weights file; an ONNX
     * file holds both and is imported whole, so one that cannot be imported fails here with the importer's message.
     *
     * @param file the model file
     * @param format its format
     * @return the network, valid
     * @throws ModelException naming the file and what is wrong
     */
    public static Network network(Path file, ModelSource.Format format) {
        return switch (format) {
            case PENNI -> GraphJson.read(file, FileLimits.DEFAULT);
            case ONNX -> OnnxImport.read(file, FileLimits.DEFAULT).network();
        };
    }
}
