package io.penni.inference.samediff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;
import io.penni.model.ModelCounter;
import io.penni.model.ModelException;
import io.penni.model.ModelParameters;
import io.penni.trainer.ModelGraph;

/**
 * Loads IR models as SameDiff graphs in inference mode (batch norm with running statistics, dropout off). A
 * decomposed layer runs as the dense convolution its factors make, which is how a framework without PENNI's
 * kernels would run it. ND4J must be initialised before the first load (inside the framework the
 * {@code TensorRuntime} service says so).
 */
public final class SameDiffEngine {

    /** The backend name requests use. */
    public static final String BACKEND = "dense-reference";

    /** @return the backend's name, device and threads */
    public BackendInfo info() {
        int threads = Nd4j.getEnvironment().maxMasterThreads();
        return new BackendInfo(BACKEND, "ND4J " + Nd4j.getBackend().getClass().getSimpleName().replace("Backend", "")
                + " SameDiff (native build with oneDNN), " + threads + " threads", threads);
    }

    /**
     * Builds a model's graph. Never throws for a model it cannot run.
     *
     * @param model the model
     * @return the loaded model, or why the graph cannot express it (naming the layer)
     */
    public LoadOutcome load(Model model) {
        try {
            ModelParameters.validate(model);
            ModelGraph graph = ModelGraph.build(model, ModelGraph.Mode.INFER, DataType.FLOAT);
            return new LoadOutcome.Loaded(new SameDiffModel(graph, model, ModelCounter.count(model)));
        } catch (ModelException | IllegalArgumentException e) {
            return new LoadOutcome.Unsupported(e.getMessage());
        }
    }
}
