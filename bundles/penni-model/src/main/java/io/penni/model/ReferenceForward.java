package io.penni.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Padding;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.internal.Kernels;

/**
 * The reference forward pass: plain Java, float32 values with double-precision sums, one image at a time,
 * every layer type, batch norm in inference mode with its running statistics and dropout as the identity.
 * It is the oracle that faster backends are checked against, so it favours obvious correctness over speed.
 *
 * <p>A PENNI-decomposed convolution runs as PENNI runs it: each input channel is convolved with the d basis
 * kernels (C·d intermediate maps), then a sparse 1×1 convolution with the coefficients {@code [N, C·d]} sums
 * them into the N outputs, skipping zero coefficients. That equals a dense convolution with
 * {@code W[n,c] = Σ_j coefficients[n,c,j] · basis[j]}.
 */
public final class ReferenceForward {

    private ReferenceForward() {
    }

    /**
     * Runs a batch and returns the network's output.
     *
     * @param model a valid model
     * @param images {@code [batch, C, H, W]} matching the network's input
     * @return {@code [batch, outputs]}: each image's output layer values, channel-major (the logits)
     * @throws ModelException if the model is invalid or the images do not fit its input
     */
    public static Tensor forward(Model model, Tensor images) {
        ModelParameters.validate(model);
        Map<String, ActivationShape> shapes = NetworkShapes.infer(model.network());
        int batch = checkImages(model, images, shapes);
        String output = model.network().output();
        int size = (int) shapes.get(output).size();
        float[] out = new float[batch * size];
        for (int b = 0; b < batch; b++) {
            float[] image = Arrays.copyOfRange(images.data(), b * imageSize(images), (b + 1) * imageSize(images));
            System.arraycopy(run(model, shapes, image, false).get(output), 0, out, b * size, size);
        }
        return new Tensor(new int[] {batch, size}, out);
    }

    /**
     * Runs a batch and returns every layer's output, for comparing a backend layer by layer.
     *
     * @param model a valid model
     * @param images {@code [batch, C, H, W]} matching the network's input
     * @return each layer's output {@code [batch, C, H, W]} by name, in network order
     * @throws ModelException if the model is invalid or the images do not fit its input
     */
    public static Map<String, Tensor> activations(Model model, Tensor images) {
        ModelParameters.validate(model);
        Map<String, ActivationShape> shapes = NetworkShapes.infer(model.network());
        int batch = checkImages(model, images, shapes);
        Map<String, float[]> joined = new LinkedHashMap<>();
        for (int b = 0; b < batch; b++) {
            float[] image = Arrays.copyOfRange(images.data(), b * imageSize(images), (b + 1) * imageSize(images));
            Map<String, float[]> values = run(model, shapes, image, true);
            for (Map.Entry<String, float[]> layer : values.entrySet()) {
                float[] all = joined.computeIfAbsent(layer.getKey(), k -> new float[batch * layer.getValue().length]);
                System.arraycopy(layer.getValue(), 0, all, b * layer.getValue().length, layer.getValue().length);
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> layer : joined.entrySet()) {
            ActivationShape s = shapes.get(layer.getKey());
            result.put(layer.getKey(), new Tensor(new int[] {batch, s.channels(), s.height(), s.width()},
                    layer.getValue()));
        }
        return result;
    }

    private static int imageSize(Tensor images) {
        return images.size() / images.shape()[0];
    }

    private static int checkImages(Model model, Tensor images, Map<String, ActivationShape> shapes) {
        ActivationShape input = shapes.get(model.network().layers().get(0).name());
        int[] s = images.shape();
        if (s.length != 4 || s[0] < 1 || s[1] != input.channels() || s[2] != input.height()
                || s[3] != input.width()) {
            throw new ModelException("network " + model.network().name() + ": expects images [batch, "
                    + input.channels() + ", " + input.height() + ", " + input.width() + "] with batch >= 1, got "
                    + Arrays.toString(s));
        }
        return s[0];
    }

    /** One image through every layer; without {@code keepAll}, outputs are dropped after their last reader. */
    private static Map<String, float[]> run(Model model, Map<String, ActivationShape> shapes, float[] image,
            boolean keepAll) {
        List<Layer> layers = model.network().layers();
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (String input : layers.get(i).inputs()) {
                lastUse.put(input, i);
            }
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            List<float[]> inputs = new ArrayList<>();
            for (String input : layer.inputs()) {
                inputs.add(values.get(input));
            }
            values.put(layer.name(), layer.accept(new LayerPass(image, inputs, model, shapes, layer)));
            if (!keepAll) {
                for (String input : layer.inputs()) {
                    if (lastUse.get(input) == i && !input.equals(model.network().output())) {
                        values.remove(input);
                    }
                }
            }
        }
        return values;
    }

    /** One layer's forward pass for one image, by its type. */
    private static final class LayerPass implements Layer.Visitor<float[]> {

        private final float[] image;
        private final List<float[]> inputs;
        private final Model model;
        private final Map<String, ActivationShape> shapes;
        private final Layer layer;

        LayerPass(float[] image, List<float[]> inputs, Model model, Map<String, ActivationShape> shapes,
                Layer layer) {
            this.image = image;
            this.inputs = inputs;
            this.model = model;
            this.shapes = shapes;
            this.layer = layer;
        }

        private float[] in() {
            return inputs.get(0);
        }

        private ActivationShape inShape() {
            return shapes.get(layer.inputs().get(0));
        }

        private ActivationShape outShape() {
            return shapes.get(layer.name());
        }

        @Override
        public float[] visitInput(Layer.Input l) {
            return image;
        }

        @Override
        public float[] visitConv2d(Layer.Conv2d l) {
            return Kernels.conv(in(), inShape(), parameter(model, l.name(), ParameterNames.WEIGHT), bias(model,
                    l.name(), l.bias()), l.groups(), l.kernel(), l.stride(), l.padding(), outShape());
        }

        @Override
        public float[] visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            return decomposed(l, in(), inShape(), outShape(), model);
        }

        @Override
        public float[] visitBatchNorm(Layer.BatchNorm l) {
            return Kernels.batchNorm(in(), inShape(), parameter(model, l.name(), ParameterNames.GAMMA),
                    parameter(model, l.name(), ParameterNames.BETA), parameter(model, l.name(),
                            ParameterNames.RUNNING_MEAN), parameter(model, l.name(), ParameterNames.RUNNING_VAR),
                    l.epsilon());
        }

        @Override
        public float[] visitRelu(Layer.Relu l) {
            return Kernels.relu(in());
        }

        @Override
        public float[] visitClippedRelu(Layer.ClippedRelu l) {
            float[] in = in();
            float[] out = new float[in.length];
            for (int i = 0; i < in.length; i++) {
                out[i] = l.apply(in[i]);
            }
            return out;
        }

        @Override
        public float[] visitPool(Layer.Pool l) {
            return Kernels.pool(in(), inShape(), l.kind() == Layer.PoolKind.MAX, l.kernel(), l.stride(),
                    l.padding(), outShape());
        }

        @Override
        public float[] visitGlobalAvgPool(Layer.GlobalAvgPool l) {
            return Kernels.globalAvgPool(in(), inShape());
        }

        @Override
        public float[] visitAdd(Layer.Add l) {
            return Kernels.add(inputs);
        }

        @Override
        public float[] visitLinear(Layer.Linear l) {
            return Kernels.linear(in(), parameter(model, l.name(), ParameterNames.WEIGHT), bias(model, l.name(),
                    l.bias()), l.outFeatures());
        }

        /** A reshape: the values are unchanged. */
        @Override
        public float[] visitFlatten(Layer.Flatten l) {
            return in();
        }

        /** The identity at inference. */
        @Override
        public float[] visitDropout(Layer.Dropout l) {
            return in();
        }
    }

    /** The basis convolution (each input channel with each of the d bases), then the 1×1 coefficient one. */
    private static float[] decomposed(Layer.DecomposedConv2d l, float[] in, ActivationShape inShape,
            ActivationShape outShape, Model model) {
        int kk = l.kernel() * l.kernel();
        float[] basis = parameter(model, l.name(), ParameterNames.BASIS);
        // as a grouped convolution with C groups, each of d outputs: weight [C·d, 1, k, k], basis j at c·d + j
        float[] tiled = new float[l.inChannels() * l.bases() * kk];
        for (int c = 0; c < l.inChannels(); c++) {
            System.arraycopy(basis, 0, tiled, c * l.bases() * kk, l.bases() * kk);
        }
        ActivationShape maps = new ActivationShape(l.inChannels() * l.bases(), outShape.height(), outShape.width());
        float[] filtered = Kernels.conv(in, inShape, tiled, new float[0], l.inChannels(), l.kernel(), l.stride(),
                l.padding(), maps);
        // coefficients [N, C, d] in row-major order are already the 1×1 weight [N, C·d, 1, 1]
        return Kernels.conv(filtered, maps, parameter(model, l.name(), ParameterNames.COEFFICIENTS),
                bias(model, l.name(), l.bias()), 1, 1, 1, Padding.NONE, outShape);
    }

    private static float[] parameter(Model model, String layer, String parameter) {
        return model.parameters().get(ParameterNames.of(layer, parameter)).data();
    }

    private static float[] bias(Model model, String layer, boolean bias) {
        return bias ? parameter(model, layer, ParameterNames.BIAS) : new float[0];
    }
}
