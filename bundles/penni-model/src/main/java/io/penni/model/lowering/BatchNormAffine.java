package io.penni.model.lowering;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;

/**
 * Batch normalisation at inference as a per-channel affine map {@code y = scale · x + shift}, computed in double
 * precision from gamma, beta and the running statistics: what a backend folds into the step before it, or
 * applies as a step of its own.
 *
 * @param scale {@code gamma / sqrt(var + epsilon)} per channel
 * @param shift {@code beta - mean · scale} per channel
 */
public record BatchNormAffine(double[] scale, double[] shift) {

    /**
     * Computes a batch norm's map from a model's parameters.
     *
     * @param model the model holding the layer's parameters
     * @param bn the layer
     * @return its scale and shift per channel
     */
    public static BatchNormAffine of(Model model, Layer.BatchNorm bn) {
        float[] gamma = parameter(model, bn, ParameterNames.GAMMA);
        float[] beta = parameter(model, bn, ParameterNames.BETA);
        float[] mean = parameter(model, bn, ParameterNames.RUNNING_MEAN);
        float[] var = parameter(model, bn, ParameterNames.RUNNING_VAR);
        double[] scale = new double[bn.channels()];
        double[] shift = new double[bn.channels()];
        for (int c = 0; c < bn.channels(); c++) {
            scale[c] = gamma[c] / Math.sqrt(var[c] + bn.epsilon());
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new BatchNormAffine(scale, shift);
    }

    private static float[] parameter(Model model, Layer.BatchNorm bn, String name) {
        return model.parameters().get(ParameterNames.of(bn.name(), name)).data();
    }

    /** @return the scale rounded to floats */
    public float[] floatScale() {
        return toFloats(scale);
    }

    /** @return the shift rounded to floats */
    public float[] floatShift() {
        return toFloats(shift);
    }

    private static float[] toFloats(double[] values) {
        float[] f = new float[values.length];
        for (int c = 0; c < f.length; c++) {
            f[c] = (float) values[c];
        }
        return f;
    }
}
