package io.penni.inference.onnxruntime;

import java.util.Map;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.ActivationShape;
import io.penni.api.model.Model;
import io.penni.inference.onnxruntime.internal.OrtModel;
import io.penni.model.ModelCounter;
import io.penni.model.ModelException;
import io.penni.model.NetworkShapes;
import io.penni.onnx.OnnxExport;

/**
 * Loads IR models into ONNX Runtime: each model is exported to ONNX in memory ({@link OnnxExport}) and opened as
 * a session with graph optimisation ALL, sequential execution and the configured intra-op threads. ONNX Runtime's
 * native library is loaded on first use (extracted to the temporary directory).
 */
public final class OrtEngine {

    /** The backend name requests use. */
    public static final String BACKEND = "onnxruntime";

    private final OrtOptions options;

    /**
     * @param options threads and export form
     */
    public OrtEngine(OrtOptions options) {
        this.options = options;
    }

    /** @return the backend's name, runtime version, form and threads */
    public BackendInfo info() {
        return new BackendInfo(BACKEND, "ONNX Runtime " + environment().getVersion() + " CPU, "
                + options.form().label() + " form, graph optimisation ALL, " + options.intraOpThreads()
                + " intra-op threads", options.intraOpThreads());
    }

    /**
     * Exports a model and opens it in ONNX Runtime. Never throws for a model it cannot run.
     *
     * @param model the model
     * @return the loaded model, or why it cannot be exported or opened (naming the layer where the export says)
     */
    public LoadOutcome load(Model model) {
        byte[] onnx;
        try {
            onnx = OnnxExport.toBytes(model, options.form());
        } catch (ModelException e) {
            return new LoadOutcome.Unsupported(e.getMessage());
        }
        OrtEnvironment env = environment();
        OrtSession.SessionOptions session = new OrtSession.SessionOptions();
        try {
            session.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            session.setIntraOpNumThreads(options.intraOpThreads());
            session.setInterOpNumThreads(1);
            Map<String, ActivationShape> shapes = NetworkShapes.infer(model.network());
            ActivationShape input = shapes.get(model.network().layers().get(0).name());
            int outputs = (int) shapes.get(model.network().output()).size();
            return new LoadOutcome.Loaded(new OrtModel(env, env.createSession(onnx, session), session, input,
                    outputs, ModelCounter.count(model), onnx.length, options.form()));
        } catch (OrtException e) {
            session.close();
            return new LoadOutcome.Unsupported("ONNX Runtime cannot open network " + model.network().name() + ": "
                    + e.getMessage());
        }
    }

    private static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "penni");
    }
}
