package io.penni.inference.onnxruntime.internal;

import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;
import io.penni.model.ModelCount;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;

/** A model open in an ONNX Runtime session. Runs may come from several threads at once (a session allows it). */
public final class OrtModel implements LoadedModel {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final ActivationShape input;
    private final int outputSize;
    private final long onnxBytes;
    private final long peakActivationBytes;
    private final ExportForm form;

    /**
     * @param env the environment the session belongs to
     * @param session the open session (closed with this model)
     * @param options the session's options (closed with this model)
     * @param input one image's shape
     * @param outputSize values per output row
     * @param count the model's counts (activation bytes)
     * @param onnxBytes size of the ONNX file the session was opened from
     * @param form the form it was exported in
     */
    public OrtModel(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options,
            ActivationShape input, int outputSize, ModelCount count, long onnxBytes, ExportForm form) {
        this.env = env;
        this.session = session;
        this.options = options;
        this.input = input;
        this.outputSize = outputSize;
        this.onnxBytes = onnxBytes;
        this.peakActivationBytes = count.peakActivationBytes();
        this.form = form;
    }

    @Override
    public ActivationShape inputShape() {
        return input;
    }

    @Override
    public int outputSize() {
        return outputSize;
    }

    @Override
    public float[] run(float[] images, int batch) {
        long[] shape = {batch, input.channels(), input.height(), input.width()};
        int values = Math.multiplyExact(batch, (int) input.size());
        if (batch < 1 || images.length < values) {
            throw new IllegalArgumentException("batch " + batch + " of " + input + " needs " + values
                    + " values, got " + images.length);
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(images, 0, values), shape);
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, tensor))) {
            FloatBuffer logits = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[logits.remaining()];
            logits.get(out);
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed a batch of " + batch + ": " + e.getMessage(), e);
        }
    }

    /** @return the size of the ONNX file ONNX Runtime loaded: the weights as it holds them, plus the graph */
    @Override
    public long weightBytes() {
        return onnxBytes;
    }

    /** @return the activations alive at once when layers run in order (ONNX Runtime's arena is not queried) */
    @Override
    public long workspaceBytes(int batch) {
        return peakActivationBytes * batch;
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("runtime", "onnxruntime " + env.getVersion(), "form", form.label(), "onnxBytes", onnxBytes);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not close a session: " + e.getMessage(), e);
        } finally {
            options.close();
        }
    }
}
