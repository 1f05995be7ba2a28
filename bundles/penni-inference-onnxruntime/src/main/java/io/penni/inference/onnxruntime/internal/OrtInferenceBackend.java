package io.penni.inference.onnxruntime.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;
import io.penni.inference.onnxruntime.OrtEngine;
import io.penni.inference.onnxruntime.OrtOptions;
import io.penni.onnx.ExportForm;

/** ONNX Runtime as the {@code onnxruntime} inference backend; registered without configuration, with defaults. */
@Component(service = InferenceBackend.class, configurationPid = "penni.inference.onnxruntime",
        property = InferenceBackend.NAME + "=" + OrtEngine.BACKEND)
@Designate(ocd = OrtInferenceBackend.Config.class)
public final class OrtInferenceBackend implements InferenceBackend {

    /** Configuration of the ONNX Runtime backend. */
    @ObjectClassDefinition(name = "PENNI ONNX Runtime inference",
            description = "Runs models in ONNX Runtime, exported to ONNX in memory.")
    public @interface Config {
        /** @return intra-op threads */
        @AttributeDefinition(name = "Intra-op threads", description = "Threads one ONNX Runtime operator runs "
                + "on (at least 1).")
        int intra_op_threads() default 2;

        /** @return the export form */
        @AttributeDefinition(name = "Form", description = "DENSE: decomposed layers as one convolution with "
                + "reconstructed weights (fastest in ONNX Runtime); FACTORED: the basis and coefficient "
                + "convolutions, as in a job's model.onnx.")
        ExportForm form() default ExportForm.DENSE;
    }

    private OrtEngine engine;

    @Activate
    void activate(Config config) {
        engine = new OrtEngine(new OrtOptions(Math.max(1, config.intra_op_threads()), config.form()));
    }

    @Override
    public BackendInfo info() {
        return engine.info();
    }

    @Override
    public LoadOutcome load(Model model) {
        return engine.load(model);
    }
}
