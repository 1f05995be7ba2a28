package io.penni.inference.cpu;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Padding;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.Architectures;
import io.penni.model.ReferenceForward;

/** Models for backend tests, and the error metric they are judged by. */
public final class TestModels {

    private TestModels() {
    }

    /**
     * A built-in architecture whose batch norms have non-trivial running statistics and scales, and whose
     * biases and betas are non-zero, so that folding them is really tested.
     *
     * @param name the architecture
     * @param seed random seed
     * @return the model
     */
    public static Model architecture(String name, long seed) {
        return withStatistics(Architectures.create(name, seed), seed);
    }

    /**
     * Gives every batch norm gamma in [0.5, 1.5], beta and running mean normal (std 0.2), running variance in
     * [0.5, 2], and every bias normal (std 0.1).
     *
     * @param model the model
     * @param seed random seed
     * @return the changed model
     */
    public static Model withStatistics(Model model, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            String kind = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
            float[] v = e.getValue().data().clone();
            for (int i = 0; i < v.length; i++) {
                switch (kind) {
                    case ParameterNames.GAMMA -> v[i] = (float) (0.5 + random.nextDouble());
                    case ParameterNames.BETA, ParameterNames.RUNNING_MEAN -> v[i] = (float) (0.2 * random.nextGaussian());
                    case ParameterNames.RUNNING_VAR -> v[i] = (float) (0.5 + 1.5 * random.nextDouble());
                    case ParameterNames.BIAS -> v[i] = (float) (0.1 * random.nextGaussian());
                    default -> {
                        // weights keep their He initialisation
                    }
                }
            }
            parameters.put(e.getKey(), new Tensor(e.getValue().shape().clone(), v));
        }
        return new Model(model.network(), parameters);
    }

    /**
     * The same model with every ReLU bounded above (a ReLU6-style clamp at {@code max}).
     *
     * @param model a model
     * @param max the bound; 0.5 is crossed by the seeded activations of the built-in stand-ins
     * @return the model with {@link Layer.ClippedRelu} for each {@link Layer.Relu}
     */
    public static Model bounded(Model model, double max) {
        List<Layer> layers = model.network().layers().stream().map(l -> l instanceof Layer.Relu r
                ? (Layer) new Layer.ClippedRelu(r.name(), r.input(), max) : l).toList();
        return new Model(new Network(model.network().name() + "-bounded", layers, model.network().output()),
                model.parameters());
    }

    /**
     * A shrunk-looking network: odd channel counts, bases d = 3 and 1, a layer left with one channel, a
     * strided decomposed layer, a decomposed 1-channel-in layer, a residual join over a 1×1 shortcut, average
     * pooling with padding, and the head.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model shrunkShaped(long seed) {
        List<Layer> layers = List.of(
                new Layer.Input("input", 3, 13, 11),
                new Layer.Conv2d("conv1", "input", 7, 3, 3, 1, 1, 1, false),
                new Layer.BatchNorm("bn1", "conv1", 7, 1e-5, 0.1),
                new Layer.Relu("relu1", "bn1"),
                new Layer.DecomposedConv2d("conv2", "relu1", 1, 7, 3, 1, 1, 3, false),
                new Layer.BatchNorm("bn2", "conv2", 1, 1e-5, 0.1),
                new Layer.Relu("relu2", "bn2"),
                new Layer.DecomposedConv2d("conv3", "relu2", 5, 1, 3, 2, 1, 1, true),
                new Layer.BatchNorm("bn3", "conv3", 5, 1e-5, 0.1),
                new Layer.Conv2d("short", "relu1", 5, 7, 1, 2, 0, 1, false),
                new Layer.Add("add", List.of("bn3", "short")),
                new Layer.Relu("relu3", "add"),
                new Layer.Pool("pool", "relu3", Layer.PoolKind.AVG, 3, 2, 1),
                new Layer.Flatten("flatten", "pool"),
                new Layer.Linear("fc", "flatten", 4, 5 * 4 * 3, true));
        return withStatistics(Architectures.initialise(new Network("shrunk-shaped", layers, "fc"), seed), seed);
    }

    /**
     * Strides above 2 and kernels above 3, staged by their stride phases: an 11×11 stride-4 convolution, a
     * decomposed 5×5 stride-2 layer and a decomposed 3×3 stride-3 layer without padding, on odd sizes.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model strided(long seed) {
        List<Layer> layers = List.of(
                new Layer.Input("input", 3, 35, 33),
                new Layer.Conv2d("conv1", "input", 6, 3, 11, 4, 2, 1, true),
                new Layer.Relu("relu1", "conv1"),
                new Layer.DecomposedConv2d("conv2", "relu1", 5, 6, 5, 2, 2, 4, false),
                new Layer.BatchNorm("bn2", "conv2", 5, 1e-5, 0.1),
                new Layer.Relu("relu2", "bn2"),
                new Layer.DecomposedConv2d("conv3", "relu2", 4, 5, 3, 3, 0, 3, true),
                new Layer.Flatten("flatten", "conv3"),
                new Layer.Linear("fc", "flatten", 3, 4, true));
        return withStatistics(Architectures.initialise(new Network("strided", layers, "fc"), seed), seed);
    }

    /**
     * Pooling windows the engine fuses into the convolution before them: 2×2 average after a decomposed layer's
     * ReLU on an odd size whose last row and column no window covers, 3×3 max straight after a decomposed layer
     * (no ReLU: negative values kept), 2×2 max after plain 1×1 convolutions, with and without ReLU, whose pooled
     * outputs are then added.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model fusedPooling(long seed) {
        List<Layer> layers = List.of(
                new Layer.Input("input", 3, 13, 13),
                new Layer.DecomposedConv2d("conv1", "input", 6, 3, 3, 1, 1, 3, false),
                new Layer.BatchNorm("bn1", "conv1", 6, 1e-5, 0.1),
                new Layer.Relu("relu1", "bn1"),
                new Layer.Pool("pool1", "relu1", Layer.PoolKind.AVG, 2, 2, 0),
                new Layer.DecomposedConv2d("conv2", "pool1", 4, 6, 3, 1, 1, 4, true),
                new Layer.Pool("pool2", "conv2", Layer.PoolKind.MAX, 3, 3, 0),
                new Layer.Conv2d("conv3", "pool2", 5, 4, 1, 1, 0, 1, true),
                new Layer.Relu("relu3", "conv3"),
                new Layer.Pool("pool3", "relu3", Layer.PoolKind.MAX, 2, 2, 0),
                new Layer.Conv2d("conv4", "pool2", 5, 4, 1, 1, 0, 1, false),
                new Layer.Pool("pool4", "conv4", Layer.PoolKind.MAX, 2, 2, 0),
                new Layer.Add("add", List.of("pool3", "pool4")),
                new Layer.Flatten("flatten", "add"),
                new Layer.Linear("fc", "flatten", 3, 5, true));
        return withStatistics(Architectures.initialise(new Network("fused-pooling", layers, "fc"), seed), seed);
    }

    /**
     * Windows padded differently per side ([top, left, bottom, right]), on a non-square odd-sized image: a dense
     * stride-2 convolution padded like TensorFlow's SAME ([0, 0, 1, 1]), a decomposed 3×3 padded on every side
     * differently, a max pool padded on the left and bottom, a decomposed 2×2 (an even kernel, PyTorch's
     * padding='same'), an average pool padded at the top left and a depthwise convolution padded on three sides.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model asymmetric(long seed) {
        List<Layer> layers = List.of(
                new Layer.Input("input", 3, 13, 11),
                new Layer.Conv2d("conv1", "input", 6, 3, 3, 2, new Padding(0, 0, 1, 1), 1, true),
                new Layer.Relu("relu1", "conv1"),
                new Layer.DecomposedConv2d("conv2", "relu1", 5, 6, 3, 1, new Padding(1, 0, 2, 1), 3, false),
                new Layer.BatchNorm("bn2", "conv2", 5, 1e-5, 0.1),
                new Layer.Relu("relu2", "bn2"),
                new Layer.Pool("pool1", "relu2", Layer.PoolKind.MAX, 3, 2, new Padding(0, 1, 1, 0)),
                new Layer.DecomposedConv2d("conv3", "pool1", 4, 5, 2, 1, new Padding(0, 0, 1, 1), 2, true),
                new Layer.Pool("pool2", "conv3", Layer.PoolKind.AVG, 2, 1, new Padding(1, 1, 0, 0)),
                new Layer.Conv2d("conv4", "pool2", 4, 4, 3, 1, new Padding(1, 1, 1, 0), 4, true),
                new Layer.Flatten("flatten", "conv4"),
                new Layer.Linear("fc", "flatten", 3, 12, true));
        return withStatistics(Architectures.initialise(new Network("asymmetric", layers, "fc"), seed), seed);
    }

    /**
     * Feature maps of 4 × 4 and 2 × 2, where dense convolutions run with output channels across the vector lanes
     * (the columns form): a stride-2 convolution from the input to 40 channels, a 3 × 3 on its output (stored in
     * the reader's staged layout) to 70 channels (not a multiple of the 64-channel block) with a 2 × 2 max pooling
     * fused in, a 3 × 3 and a 1 × 1 on the 2 × 2 map added (a fused residual), an even 2 × 2 kernel padded on two
     * sides only, and a decomposed layer among them.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model smallMaps(long seed) {
        List<Layer> layers = List.of(
                new Layer.Input("input", 3, 8, 8),
                new Layer.Conv2d("conv1", "input", 40, 3, 3, 2, 1, 1, true),
                new Layer.BatchNorm("bn1", "conv1", 40, 1e-5, 0.1),
                new Layer.Relu("relu1", "bn1"),
                new Layer.Conv2d("conv2", "relu1", 70, 40, 3, 1, 1, 1, false),
                new Layer.Relu("relu2", "conv2"),
                new Layer.Pool("pool2", "relu2", Layer.PoolKind.MAX, 2, 2, 0),
                new Layer.Conv2d("conv3", "pool2", 33, 70, 3, 1, 1, 1, true),
                new Layer.Conv2d("conv4", "pool2", 33, 70, 1, 1, 0, 1, false),
                new Layer.Add("add", List.of("conv3", "conv4")),
                new Layer.Relu("relu4", "add"),
                new Layer.Conv2d("conv5", "relu4", 20, 33, 2, 1, new Padding(0, 0, 1, 1), 1, true),
                new Layer.DecomposedConv2d("conv6", "conv5", 24, 20, 3, 1, 1, 3, true),
                new Layer.Relu("relu6", "conv6"),
                new Layer.Flatten("flatten", "relu6"),
                new Layer.Linear("fc", "flatten", 10, 24 * 2 * 2, true));
        return withStatistics(Architectures.initialise(new Network("small-maps", layers, "fc"), seed), seed);
    }

    /**
     * Decomposed layers on maps of 8 × 8, 4 × 4 and 2 × 2 with 90 % of their coefficients pruned, which the engine
     * runs in the compact form where it pays: an 8 × 8 layer, a stride-2 layer from it to 4 × 4 (its input not
     * staged), two
     * 4 × 4 layers (the first's output stored staged for the second, the second with a 2 × 2 max pooling fused
     * in), a 2 × 2 layer whose output is added to its input (a fused residual), and an even 2 × 2 kernel padded on
     * two sides only; the first convolution reads the input and stays dense.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model compactMaps(long seed) {
        List<Layer> layers = List.of(
                new Layer.Input("input", 3, 8, 8),
                new Layer.Conv2d("conv1", "input", 16, 3, 3, 1, 1, 1, true),
                new Layer.Relu("relu1", "conv1"),
                new Layer.Conv2d("conv1b", "relu1", 16, 16, 3, 1, 1, 1, true),
                new Layer.Relu("relu1b", "conv1b"),
                new Layer.Conv2d("conv2", "relu1b", 24, 16, 3, 2, 1, 1, false),
                new Layer.BatchNorm("bn2", "conv2", 24, 1e-5, 0.1),
                new Layer.Relu("relu2", "bn2"),
                new Layer.Conv2d("conv3", "relu2", 40, 24, 3, 1, 1, 1, true),
                new Layer.Relu("relu3", "conv3"),
                new Layer.Conv2d("conv4", "relu3", 40, 40, 3, 1, 1, 1, true),
                new Layer.Relu("relu4", "conv4"),
                new Layer.Pool("pool4", "relu4", Layer.PoolKind.MAX, 2, 2, 0),
                new Layer.Conv2d("conv5", "pool4", 40, 40, 3, 1, 1, 1, true),
                new Layer.Add("add", List.of("conv5", "pool4")),
                new Layer.Relu("relu5", "add"),
                new Layer.Conv2d("conv6", "relu5", 24, 40, 2, 1, new Padding(0, 0, 1, 1), 1, true),
                new Layer.Relu("relu6", "conv6"),
                new Layer.Flatten("flatten", "relu6"),
                new Layer.Linear("fc", "flatten", 10, 24 * 2 * 2, true));
        Model dense = withStatistics(Architectures.initialise(new Network("compact-maps", layers, "fc"), seed), seed);
        return SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, seed), 0.9, seed);
    }

    /**
     * A VGG-like network whose middle decomposed layer keeps exactly one non-zero coefficient.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model onlyOneCoefficient(long seed) {
        return withCoefficients(seed, "conv3", 0.7f);
    }

    /**
     * A decomposed vgg-small whose layer conv4 has no non-zero coefficient at all: an empty coefficient matrix,
     * no map read, its output the bias alone.
     *
     * @param seed random seed
     * @return the model
     */
    public static Model noCoefficients(long seed) {
        return withCoefficients(seed, "conv4", 0f);
    }

    /**
     * A decomposed resnet-small as {@code layer-sparsity}'s {@code maps} leaves one: in every decomposed layer the
     * given fraction of its maps (columns {@code [:, c, j]} of the coefficients) zeroed whole, at random, and a
     * third of the rest's coefficients zeroed, so that the coefficients of the maps left are about two-thirds dense
     * while the layer as a whole is sparse.
     *
     * @param fraction maps zeroed per layer
     * @param seed weights and choices
     * @return the model
     */
    public static Model mapsPruned(double fraction, long seed) {
        Model model = SyntheticCompression.decompose(architecture("resnet-small", seed), 5, seed);
        Map<String, Tensor> parameters = new LinkedHashMap<>(model.parameters());
        SplittableRandom random = new SplittableRandom(seed);
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            if (!e.getKey().endsWith("." + ParameterNames.COEFFICIENTS)) {
                continue;
            }
            Tensor t = e.getValue();
            int columns = t.shape()[1] * t.shape()[2];
            boolean[] gone = new boolean[columns];
            for (int m = 0; m < columns; m++) {
                gone[m] = random.nextDouble() < fraction;
            }
            float[] data = t.data().clone();
            for (int i = 0; i < data.length; i++) {
                if (gone[i % columns] || random.nextDouble() < 1.0 / 3) {
                    data[i] = 0f;
                }
            }
            parameters.put(e.getKey(), new Tensor(t.shape().clone(), data));
        }
        return new Model(model.network(), parameters);
    }

    /** A decomposed vgg-small whose given layer keeps one coefficient (of the given value) near its middle. */
    private static Model withCoefficients(long seed, String layer, float kept) {
        Model model = SyntheticCompression.decompose(architecture("vgg-small", seed), 5, seed);
        Map<String, Tensor> parameters = new LinkedHashMap<>(model.parameters());
        String name = ParameterNames.of(layer, ParameterNames.COEFFICIENTS);
        Tensor t = parameters.get(name);
        float[] one = new float[t.size()];
        one[t.size() / 2 + 1] = kept;
        parameters.put(name, new Tensor(t.shape().clone(), one));
        return new Model(model.network(), parameters);
    }

    /**
     * Random normal images.
     *
     * @param model the model they are for
     * @param batch images
     * @param seed random seed
     * @return {@code [batch, C, H, W]}
     */
    public static Tensor images(Model model, int batch, long seed) {
        Layer.Input in = (Layer.Input) model.network().layers().get(0);
        Tensor t = Tensor.zeros(batch, in.channels(), in.height(), in.width());
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) random.nextGaussian();
        }
        return t;
    }

    /**
     * The error metric of the backend tests: {@code max|a − b| / max(1e-6, max|b|)} over a whole output batch,
     * with b the reference. Relative to the largest reference logit, so logits near zero do not blow it up.
     *
     * @param actual the backend's output
     * @param reference the reference output
     * @return the relative error
     */
    public static double relativeError(float[] actual, float[] reference) {
        if (actual.length != reference.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < actual.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - reference[i]));
            scale = Math.max(scale, Math.abs((double) reference[i]));
        }
        return Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / Math.max(1e-6, scale);
    }

    /**
     * How far a backend is from the reference: its logits for {@code batch} random images and for the first of
     * them alone, each against the reference forward pass.
     *
     * @param loaded the model as the backend loaded it
     * @param model the model
     * @param batch images in the batch
     * @param seed seed of the images
     * @return the relative errors at batch {@code batch} and at batch 1
     */
    public static double[] errors(LoadedModel loaded, Model model, int batch, long seed) {
        Tensor images = images(model, batch, seed);
        float[] reference = reference(model, images);
        double all = relativeError(loaded.run(images.data(), batch), reference);
        double one = relativeError(loaded.run(Arrays.copyOf(images.data(), images.size() / batch), 1),
                Arrays.copyOf(reference, reference.length / batch));
        return new double[] {all, one};
    }

    /**
     * The reference logits.
     *
     * @param model the model
     * @param images the images
     * @return the logits, flat
     */
    public static float[] reference(Model model, Tensor images) {
        return ReferenceForward.forward(model, images).data();
    }
}
