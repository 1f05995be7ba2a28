package io.penni.onnx;

import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.penni.api.model.Tensor;

/** Runs an exported file in ONNX Runtime, graph optimisation ALL, as a user deploying it would. */
final class OrtRun {

    private OrtRun() {
    }

    /**
     * @param onnx the file's bytes
     * @param images {@code [batch, C, H, W]}
     * @return the logits, flat
     * @throws OrtException if ONNX Runtime refuses the file or fails to run it
     */
    static float[] logits(byte[] onnx, Tensor images) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {images.shape()[0], images.shape()[1], images.shape()[2], images.shape()[3]};
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(onnx, options);
                    OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(images.data()), shape);
                    OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
                FloatBuffer out = ((OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow()).getFloatBuffer();
                float[] logits = new float[out.remaining()];
                out.get(logits);
                return logits;
            }
        }
    }
}
