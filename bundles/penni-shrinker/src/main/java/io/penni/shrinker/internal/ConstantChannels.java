package io.penni.shrinker.internal;

import java.util.List;
import java.util.Map;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;

/**
 * Which channels of each layer's output are known constants, and which weights are zero, computed once from a
 * model's weights with the same float arithmetic as the reference forward pass: a convolution output channel
 * whose weights are zero on every input channel that is not the constant 0 is its bias (or 0); batch norm, ReLU,
 * max pooling, average pooling (without padding, or of 0), global average pooling, dropout and flatten map
 * constants to constants; an add of constants is their sum; anything else varies.
 */
final class ConstantChannels {

    private final Model model;
    private final List<Layer> layers;
    private final Map<String, Integer> position;
    private final ActivationShape[] shapes;
    private final boolean[][] constant;
    private final float[][] value;
    /** Per convolution: whether kernel (n, c) has a non-zero weight, {@code [N·C/groups]}. */
    private final boolean[][] kernelNonZero;
    /** Per linear layer: whether input feature f has a non-zero weight for some output. */
    private final boolean[][] columnNonZero;

    /**
     * Works out the constants of every layer, in network order.
     *
     * @param model the model
     * @param position each layer's index by name
     * @param shapes each layer's output shape, by index
     */
    ConstantChannels(Model model, Map<String, Integer> position, ActivationShape[] shapes) {
        this.model = model;
        this.layers = model.network().layers();
        this.position = position;
        this.shapes = shapes;
        int n = layers.size();
        constant = new boolean[n][];
        value = new float[n][];
        kernelNonZero = new boolean[n][];
        columnNonZero = new boolean[n][];
        for (int i = 0; i < n; i++) {
            constant[i] = new boolean[shapes[i].channels()];
            value[i] = new float[shapes[i].channels()];
            layers.get(i).accept(new LayerConstants(i));
        }
    }

    /** @return whether channel c of layer t's output is the constant 0 */
    boolean constantZero(int tensor, int channel) {
        return constant[tensor][channel] && value[tensor][channel] == 0f;
    }

    /** @return whether kernel (n, c) of convolution i has a non-zero weight, at {@code n · C/groups + c} */
    boolean kernelNonZero(int i, int kernel) {
        return kernelNonZero[i][kernel];
    }

    /** @return the number of input features of linear layer i */
    int columns(int i) {
        return columnNonZero[i].length;
    }

    /** @return whether input feature f of linear layer i has a non-zero weight for some output */
    boolean columnNonZero(int i, int feature) {
        return columnNonZero[i][feature];
    }

    /** Which basis kernels of a decomposed layer have a non-zero value: an all-zero one contributes nothing. */
    boolean[] usefulBases(int i, Layer.DecomposedConv2d conv) {
        float[] basis = parameter(i, ParameterNames.BASIS);
        int kk = conv.kernel() * conv.kernel();
        boolean[] useful = new boolean[conv.bases()];
        for (int j = 0; j < conv.bases(); j++) {
            useful[j] = !allZero(basis, j * kk, (j + 1) * kk);
        }
        return useful;
    }

    float[] parameter(int layer, String name) {
        return model.parameters().get(ParameterNames.of(layers.get(layer).name(), name)).data();
    }

    private int input(int layer) {
        return position.get(layers.get(layer).inputs().get(0));
    }

    /** The constant channels of layer i's output, from its inputs' (computed before it, in network order). */
    private final class LayerConstants implements Layer.Visitor<Void> {

        private final int i;
        private final boolean[] is;
        private final float[] v;
        private final int size;

        LayerConstants(int i) {
            this.i = i;
            this.is = constant[i];
            this.v = value[i];
            this.size = is.length;
        }

        /** The network's input varies. */
        @Override
        public Void visitInput(Layer.Input layer) {
            return null;
        }

        /** A linear layer's outputs vary; its zero columns are noted. */
        @Override
        public Void visitLinear(Layer.Linear linear) {
            float[] w = parameter(i, ParameterNames.WEIGHT);
            columnNonZero[i] = new boolean[linear.inFeatures()];
            for (int o = 0; o < linear.outFeatures(); o++) {
                for (int f = 0; f < linear.inFeatures(); f++) {
                    columnNonZero[i][f] |= w[o * linear.inFeatures() + f] != 0f;
                }
            }
            return null;
        }

        @Override
        public Void visitAdd(Layer.Add add) {
            for (int c = 0; c < size; c++) {
                double sum = 0;
                is[c] = true;
                for (String in : add.inputs()) {
                    int t = position.get(in);
                    is[c] &= constant[t][c];
                    sum += value[t][c];
                }
                v[c] = is[c] ? (float) sum : 0f;
            }
            return null;
        }

        @Override
        public Void visitConv2d(Layer.Conv2d conv) {
            float[] w = parameter(i, ParameterNames.WEIGHT);
            int kk = conv.kernel() * conv.kernel();
            kernelNonZero[i] = new boolean[w.length / kk];
            for (int k = 0; k < kernelNonZero[i].length; k++) {
                kernelNonZero[i][k] = !allZero(w, k * kk, (k + 1) * kk);
            }
            int in = input(i);
            int inPerGroup = conv.inChannels() / conv.groups();
            int outPerGroup = conv.outChannels() / conv.groups();
            float[] b = conv.bias() ? parameter(i, ParameterNames.BIAS) : null;
            for (int n = 0; n < conv.outChannels(); n++) {
                int first = n / outPerGroup * inPerGroup;
                boolean constantOutput = true;
                for (int ci = 0; ci < inPerGroup && constantOutput; ci++) {
                    constantOutput = !kernelNonZero[i][n * inPerGroup + ci] || constantZero(in, first + ci);
                }
                is[n] = constantOutput;
                v[n] = constantOutput && conv.bias() ? b[n] : 0f;
            }
            return null;
        }

        @Override
        public Void visitDecomposedConv2d(Layer.DecomposedConv2d conv) {
            int in = input(i);
            float[] coefficients = parameter(i, ParameterNames.COEFFICIENTS);
            boolean[] usefulBasis = usefulBases(i, conv);
            float[] b = conv.bias() ? parameter(i, ParameterNames.BIAS) : null;
            int d = conv.bases();
            for (int n = 0; n < conv.outChannels(); n++) {
                boolean constantOutput = true;
                for (int c = 0; c < conv.inChannels() && constantOutput; c++) {
                    if (constantZero(in, c)) {
                        continue;
                    }
                    for (int j = 0; j < d && constantOutput; j++) {
                        constantOutput = !usefulBasis[j] || coefficients[(n * conv.inChannels() + c) * d + j] == 0f;
                    }
                }
                is[n] = constantOutput;
                v[n] = constantOutput && conv.bias() ? b[n] : 0f;
            }
            return null;
        }

        @Override
        public Void visitBatchNorm(Layer.BatchNorm bn) {
            int in = input(i);
            float[] gamma = parameter(i, ParameterNames.GAMMA);
            float[] beta = parameter(i, ParameterNames.BETA);
            float[] mean = parameter(i, ParameterNames.RUNNING_MEAN);
            float[] variance = parameter(i, ParameterNames.RUNNING_VAR);
            for (int c = 0; c < size; c++) {
                is[c] = constant[in][c];
                // the reference pass's arithmetic exactly, so that the sign ReLU sees is the same
                double scale = gamma[c] / Math.sqrt(variance[c] + bn.epsilon());
                v[c] = is[c] ? (float) ((value[in][c] - (double) mean[c]) * scale + beta[c]) : 0f;
            }
            return null;
        }

        @Override
        public Void visitRelu(Layer.Relu relu) {
            int in = input(i);
            for (int c = 0; c < size; c++) {
                is[c] = constant[in][c];
                v[c] = is[c] ? Math.max(0f, value[in][c]) : 0f;
            }
            return null;
        }

        @Override
        public Void visitClippedRelu(Layer.ClippedRelu relu) {
            int in = input(i);
            for (int c = 0; c < size; c++) {
                is[c] = constant[in][c];
                v[c] = is[c] ? relu.apply(value[in][c]) : 0f;
            }
            return null;
        }

        @Override
        public Void visitPool(Layer.Pool pool) {
            int in = input(i);
            boolean average = pool.kind() == Layer.PoolKind.AVG;
            int window = pool.kernel() * pool.kernel();
            for (int c = 0; c < size; c++) {
                // padded zeros enter an average, so only a zero constant survives padded average pooling
                is[c] = constant[in][c] && (!average || pool.padding().isNone() || value[in][c] == 0f);
                v[c] = !is[c] ? 0f : average ? mean(value[in][c], window) : value[in][c];
            }
            return null;
        }

        @Override
        public Void visitGlobalAvgPool(Layer.GlobalAvgPool gap) {
            int in = input(i);
            int plane = shapes[in].height() * shapes[in].width();
            for (int c = 0; c < size; c++) {
                is[c] = constant[in][c];
                v[c] = is[c] ? mean(value[in][c], plane) : 0f;
            }
            return null;
        }

        @Override
        public Void visitDropout(Layer.Dropout dropout) {
            int in = input(i);
            System.arraycopy(constant[in], 0, is, 0, size);
            System.arraycopy(value[in], 0, v, 0, size);
            return null;
        }

        @Override
        public Void visitFlatten(Layer.Flatten flatten) {
            int in = input(i);
            int plane = shapes[in].height() * shapes[in].width();
            for (int f = 0; f < size; f++) {
                is[f] = constant[in][f / plane];
                v[f] = value[in][f / plane];
            }
            return null;
        }
    }

    /** The mean of {@code count} copies of x, summed in double as the pooling kernels do. */
    private static float mean(float x, int count) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += x;
        }
        return (float) (sum / count);
    }

    private static boolean allZero(float[] values, int from, int to) {
        for (int k = from; k < to; k++) {
            if (values[k] != 0f) {
                return false;
            }
        }
        return true;
    }
}
