package io.penni.inference.cpu.internal;

import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;

/**
 * A loaded model whose runs are recorded in {@link InferenceLatencyMetrics}.
 *
 * @param model the model
 * @param backend the backend's name, the meter's {@code backend} tag
 * @param network the network's name, the meter's {@code model} tag
 * @param metrics where runs are recorded
 */
public record TimedModel(LoadedModel model, String backend, String network, InferenceLatencyMetrics metrics)
        implements LoadedModel {

    @Override
    public ActivationShape inputShape() {
        return model.inputShape();
    }

    @Override
    public int outputSize() {
        return model.outputSize();
    }

    @Override
    public float[] run(float[] input, int batch) {
        long t0 = System.nanoTime();
        float[] out = model.run(input, batch);
        metrics.record(backend, network, System.nanoTime() - t0);
        return out;
    }

    @Override
    public long weightBytes() {
        return model.weightBytes();
    }

    @Override
    public long workspaceBytes(int batch) {
        return model.workspaceBytes(batch);
    }

    @Override
    public java.util.Map<String, Object> details() {
        return model.details();
    }

    @Override
    public void close() {
        model.close();
    }
}
