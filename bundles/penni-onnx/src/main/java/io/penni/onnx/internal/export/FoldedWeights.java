package io.penni.onnx.internal.export;

import java.util.List;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.model.DecomposedKernels;
import io.penni.model.lowering.BatchNormAffine;

/**
 * The weights a layer is written with: its own, or with the batch norms after it folded in (each output row
 * scaled, the bias shifted), in double precision and rounded once. Also the two weight layouts of a decomposed
 * convolution.
 *
 * @param weight the weight, output-major: each output's row of {@code weight.length / outputs} values
 * @param bias the bias per output (zeros where the layer has none and no batch norm is folded)
 * @param hasBias whether the bias must be written: the layer has one or a batch norm was folded
 */
record FoldedWeights(float[] weight, float[] bias, boolean hasBias) {

    /**
     * Folds batch norms into a weight.
     *
     * @param model the model holding the parameters
     * @param layer the weighted layer's name
     * @param weight its weight, output-major, in double precision
     * @param outputs its outputs
     * @param hasBias whether it has a bias
     * @param norms the batch norms that follow it, in order (may be empty)
     * @return the weight and bias to write
     */
    static FoldedWeights fold(Model model, String layer, double[] weight, int outputs, boolean hasBias,
            List<Layer.BatchNorm> norms) {
        double[] bias = new double[outputs];
        if (hasBias) {
            float[] b = parameter(model, layer, ParameterNames.BIAS);
            for (int n = 0; n < outputs; n++) {
                bias[n] = b[n];
            }
        }
        int row = weight.length / outputs;
        for (Layer.BatchNorm bn : norms) {
            BatchNormAffine affine = BatchNormAffine.of(model, bn);
            for (int n = 0; n < outputs; n++) {
                double scale = affine.scale()[n];
                for (int i = n * row; i < (n + 1) * row; i++) {
                    weight[i] *= scale;
                }
                bias[n] = bias[n] * scale + affine.shift()[n];
            }
        }
        return new FoldedWeights(toFloats(weight), toFloats(bias), hasBias || !norms.isEmpty());
    }

    /**
     * A layer's own weight in double precision.
     *
     * @param model the model
     * @param layer the layer's name
     * @return its {@code weight} parameter
     */
    static double[] weight(Model model, String layer) {
        return toDoubles(parameter(model, layer, ParameterNames.WEIGHT));
    }

    /**
     * A decomposed convolution's dense weight {@code [N, C, k, k]}: {@code W[n,c] = Σ_j coefficients[n,c,j]·basis[j]}.
     *
     * @param model the model
     * @param l the layer
     * @return the weight, in double precision
     */
    static double[] reconstructed(Model model, Layer.DecomposedConv2d l) {
        float[] basis = parameter(model, l.name(), ParameterNames.BASIS);
        float[] coefficients = parameter(model, l.name(), ParameterNames.COEFFICIENTS);
        return DecomposedKernels.dense(basis, coefficients, l.outChannels() * l.inChannels(), l.bases(),
                l.kernel() * l.kernel());
    }

    /**
     * A decomposed convolution's basis as the weight of a grouped convolution with C groups of d outputs each:
     * {@code [C·d, 1, k, k]}, basis j of input channel c at output {@code c·d + j}.
     *
     * @param model the model
     * @param l the layer
     * @return the weight
     */
    static float[] tiledBasis(Model model, Layer.DecomposedConv2d l) {
        float[] basis = parameter(model, l.name(), ParameterNames.BASIS);
        float[] tiled = new float[l.inChannels() * basis.length];
        for (int c = 0; c < l.inChannels(); c++) {
            System.arraycopy(basis, 0, tiled, c * basis.length, basis.length);
        }
        return tiled;
    }

    /**
     * A decomposed convolution's coefficients {@code [N, C, d]}: row-major, they are already the 1×1 weight
     * {@code [N, C·d, 1, 1]}.
     *
     * @param model the model
     * @param l the layer
     * @return the coefficients in double precision
     */
    static double[] coefficients(Model model, Layer.DecomposedConv2d l) {
        return toDoubles(parameter(model, l.name(), ParameterNames.COEFFICIENTS));
    }

    private static float[] parameter(Model model, String layer, String parameter) {
        return model.parameters().get(ParameterNames.of(layer, parameter)).data();
    }

    private static double[] toDoubles(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    private static float[] toFloats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }
}
