package io.penni.evaluator;

import java.nio.file.Path;
import java.util.Map;

import io.penni.api.inference.InferenceBackend;
import io.penni.api.stage.CompressionStage;
import io.penni.evaluator.internal.EvaluateStage;

/** The evaluate stage for use outside the container (the local pipeline); inside it is a DS component. */
public final class EvaluatorStages {

    private EvaluatorStages() {
    }

    /**
     * @param backends inference backends by name; {@code dense-reference} runs the dense original
     * @param dataRoot where data sets are
     * @return the evaluate stage
     */
    public static CompressionStage evaluate(Map<String, InferenceBackend> backends, Path dataRoot) {
        return new EvaluateStage(backends, dataRoot);
    }
}
