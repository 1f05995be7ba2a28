package io.penni.cli.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import io.penni.api.job.ModelSource;
import io.penni.api.model.Model;
import io.penni.model.ModelException;
import io.penni.onnx.StoredModels;

/** A command's model argument that names a file: our JSON graph or an ONNX file, told apart by the extension. */
final class ModelFileArgument {

    private ModelFileArgument() {
    }

    /**
     * @param subject an architecture's name or a model file
     * @return whether it names a file (one that exists, or any name ending in .json or .onnx)
     */
    static boolean isFile(String subject) {
        return subject.endsWith(".json") || ModelSource.Format.of(subject) == ModelSource.Format.ONNX
                || Files.isRegularFile(Path.of(subject));
    }

    /**
     * @param subject a model file
     * @return the model
     * @throws ModelException naming the file and what is wrong
     */
    static Model load(String subject) {
        return StoredModels.load(Path.of(subject), ModelSource.Format.of(subject));
    }
}
