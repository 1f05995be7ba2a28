package io.penni.trainer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Padding;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;

/**
 * A SameDiff graph built from an IR model. In {@link Mode#TRAIN} batch norm normalises with the batch's
 * statistics (and exposes them so the trainer can update the running statistics) and dropout drops; in
 * {@link Mode#INFER} batch norm is the affine map of its running statistics and dropout is the identity.
 *
 * <p>Weights keep the IR's layout ({@code [N, C, k, k]}) as SameDiff variables and are permuted to SameDiff's
 * {@code [k, k, C, N]} inside the graph: the permute is cheap and it keeps one name and one array per IR
 * parameter. A decomposed convolution computes its kernel as {@code reshape(coefficients · basis)} in the
 * graph, so gradients reach coefficients and bases separately.
 */
public final class ModelGraph {

    /** Whether the graph trains or infers. */
    public enum Mode {
        /** Batch statistics, dropout on, a loss. */
        TRAIN,
        /** Running statistics, dropout off. */
        INFER
    }

    /** Placeholder of the input images, {@code [batch, C, H, W]}. */
    public static final String INPUT = "input";
    /** Placeholder of one-hot labels, {@code [batch, classes]}. */
    public static final String LABELS = "labels";
    /** The logits, {@code [batch, classes]}. */
    public static final String LOGITS = "logits";
    /** The mean softmax cross-entropy (TRAIN only); with distillation, the distillation loss. */
    public static final String LOSS = "loss";
    /** Placeholder of the teacher's softened probabilities {@code softmax(teacher logits / T)}, {@code [batch, classes]}. */
    public static final String TEACHER = "teacher_probabilities";

    /**
     * The distillation term of a TRAIN graph's loss: {@code (1 − alpha)·CE(labels, logits)
     * + alpha·T²·CE(teacher, logits / T)}. The second cross-entropy differs from the KL divergence of the student's
     * softened output from the teacher's only by the teacher's entropy, a constant of the step, so the gradients
     * are the KL term's.
     *
     * @param alpha weight of the teacher's term, 0..1
     * @param temperature T, > 0
     */
    public record DistillationLoss(double alpha, double temperature) {
        /** Checks the ranges. */
        public DistillationLoss {
            if (!(alpha >= 0 && alpha <= 1) || !(temperature > 0)) {
                throw new IllegalArgumentException("distillation needs 0 <= alpha <= 1 and T > 0, was alpha "
                        + alpha + ", T " + temperature);
            }
        }
    }

    private final SameDiff sd;
    private final Mode mode;
    private final Model source;
    private final Map<String, String> variables;
    private final List<BatchNormStatistics> statistics;
    private final List<DropoutMask> dropouts;
    private final int classes;

    /**
     * Names of a batch-norm layer's batch statistics in a TRAIN graph.
     *
     * @param layer the layer
     * @param mean the SameDiff variable holding the batch mean
     * @param variance the SameDiff variable holding the (biased) batch variance
     * @param valuesPerImage values per channel and image (H × W), for the unbiased running variance
     */
    public record BatchNormStatistics(Layer.BatchNorm layer, String mean, String variance, long valuesPerImage) {
    }

    private ModelGraph(SameDiff sd, Mode mode, Model source, Map<String, String> variables,
            List<BatchNormStatistics> statistics, List<DropoutMask> dropouts, int classes) {
        this.sd = sd;
        this.mode = mode;
        this.source = source;
        this.variables = variables;
        this.statistics = statistics;
        this.dropouts = dropouts;
        this.classes = classes;
    }

    /**
     * A dropout layer's keep-mask placeholder in a TRAIN graph.
     *
     * @param placeholder the placeholder's name
     * @param shape the mask's shape per image
     * @param rate the fraction dropped
     */
    public record DropoutMask(String placeholder, long[] shape, double rate) {
    }

    /** @return the keep-masks a TRAIN step must be fed */
    public List<DropoutMask> dropoutMasks() {
        return dropouts;
    }

    /**
     * Builds the graph.
     *
     * @param model the model; its parameter values are copied into the graph
     * @param mode train or infer
     * @param dataType FLOAT for training, DOUBLE for gradient checks
     * @return the graph
     * @throws IllegalArgumentException naming the layer when a layer cannot be expressed
     */
    public static ModelGraph build(Model model, Mode mode, DataType dataType) {
        return new Builder(model, mode, dataType, java.util.Optional.empty()).build();
    }

    /**
     * Builds a TRAIN graph whose loss distils from a teacher fed through {@link #TEACHER}.
     *
     * @param model the model; its parameter values are copied into the graph
     * @param dataType FLOAT for training, DOUBLE for gradient checks
     * @param distillation the loss's weights
     * @return the graph
     * @throws IllegalArgumentException naming the layer when a layer cannot be expressed
     */
    public static ModelGraph distilling(Model model, DataType dataType, DistillationLoss distillation) {
        return new Builder(model, Mode.TRAIN, dataType, java.util.Optional.of(distillation)).build();
    }

    /** @return the SameDiff graph */
    public SameDiff sameDiff() {
        return sd;
    }

    /** @return whether it trains or infers */
    public Mode mode() {
        return mode;
    }

    /** @return number of output classes */
    public int classes() {
        return classes;
    }

    /** @return IR names of the trainable parameters, in network order */
    public List<String> parameters() {
        return List.copyOf(variables.keySet());
    }

    /**
     * @param parameter an IR parameter name
     * @return the SameDiff variable holding it
     */
    public String variable(String parameter) {
        String v = variables.get(parameter);
        if (v == null) {
            throw new IllegalArgumentException("no trainable parameter " + parameter);
        }
        return v;
    }

    /**
     * @param parameter an IR parameter name
     * @return its live array in the graph (updates to it are what the graph computes with)
     */
    public INDArray parameter(String parameter) {
        return sd.getArrForVarName(variable(parameter));
    }

    /** @return the batch-norm layers' batch statistics (TRAIN graphs) */
    public List<BatchNormStatistics> batchNormStatistics() {
        return statistics;
    }

    /**
     * Reads the graph's parameters back into an IR model; parameters the graph does not train (running
     * statistics) are taken from {@code others}, then from the model the graph was built from.
     *
     * @param others replacement values of non-trainable parameters, by IR name
     * @return the model
     */
    public Model toModel(Map<String, Tensor> others) {
        Map<String, Tensor> parameters = new LinkedHashMap<>(source.parameters());
        parameters.putAll(others);
        for (Map.Entry<String, String> e : variables.entrySet()) {
            INDArray array = sd.getArrForVarName(e.getValue());
            Tensor previous = source.parameters().get(e.getKey());
            parameters.put(e.getKey(), new Tensor(previous.shape(), array.castTo(DataType.FLOAT).dup().data().asFloat()));
        }
        return new Model(source.network(), parameters);
    }

    /** Translates the IR layer by layer, each by its type. */
    private static final class Builder implements Layer.Visitor<SDVariable> {
        private final Model model;
        private final Mode mode;
        private final DataType dataType;
        private final java.util.Optional<DistillationLoss> distillation;
        private final SameDiff sd = SameDiff.create();
        private final Map<String, SDVariable> activations = new HashMap<>();
        private final Map<String, Integer> ranks = new HashMap<>();
        /** Values per image of each layer's output, to flatten without asking the graph for shapes. */
        private final ActivationShapes shapes;
        private final Map<String, String> variables = new LinkedHashMap<>();
        private final List<BatchNormStatistics> statistics = new ArrayList<>();
        private final List<DropoutMask> dropouts = new ArrayList<>();

        Builder(Model model, Mode mode, DataType dataType, java.util.Optional<DistillationLoss> distillation) {
            this.model = model;
            this.mode = mode;
            this.dataType = dataType;
            this.distillation = distillation;
            this.shapes = ActivationShapes.of(model.network());
        }

        ModelGraph build() {
            for (Layer layer : model.network().layers()) {
                SDVariable out = translate(layer);
                activations.put(layer.name(), out);
            }
            String outputName = model.network().output();
            SDVariable out = activations.get(outputName);
            if (out == null) {
                throw new IllegalArgumentException("network output '" + outputName + "' is not a layer");
            }
            SDVariable logits = sd.identity(LOGITS, out);
            Layer last = model.network().layers().stream().filter(l -> l.name().equals(outputName)).findFirst()
                    .orElseThrow();
            int classes = outputWidth(last);
            if (mode == Mode.TRAIN) {
                SDVariable labels = sd.placeHolder(LABELS, dataType, -1, classes);
                SDVariable loss = distillation.isPresent() ? distillationLoss(labels, logits, classes, distillation.get())
                        : sd.loss().softmaxCrossEntropy(LOSS, labels, logits, null);
                sd.setLossVariables(loss);
            }
            return new ModelGraph(sd, mode, model, variables, List.copyOf(statistics), List.copyOf(dropouts), classes);
        }

        /**
         * Written out with log-softmax rather than with the loss op: the loss op's backward pass in ND4J 1.0.0-M2.1
         * takes no gradient from above (it assumes it is the loss itself), so a weighted sum of two of them
         * would get unweighted gradients.
         */
        private SDVariable distillationLoss(SDVariable labels, SDVariable logits, int classes, DistillationLoss d) {
            SDVariable teacher = sd.placeHolder(TEACHER, dataType, -1, classes);
            SDVariable hard = labels.mul(sd.nn().logSoftmax(logits)).sum(1).mean().neg();
            SDVariable soft = teacher.mul(sd.nn().logSoftmax(logits.div(d.temperature()))).sum(1).mean().neg();
            return hard.mul(1 - d.alpha()).add(LOSS, soft.mul(d.alpha() * d.temperature() * d.temperature()));
        }

        private int outputWidth(Layer last) {
            if (last instanceof Layer.Linear linear) {
                return linear.outFeatures();
            }
            throw new IllegalArgumentException("the network's output layer '" + last.name()
                    + "' must be a linear layer giving the logits, it is a " + last.getClass().getSimpleName());
        }

        private SDVariable translate(Layer layer) {
            return layer.accept(this);
        }

        @Override
        public SDVariable visitInput(Layer.Input in) {
            ranks.put(in.name(), 4);
            return sd.placeHolder(INPUT, dataType, -1, in.channels(), in.height(), in.width());
        }

        @Override
        public SDVariable visitConv2d(Layer.Conv2d conv) {
            return conv(conv);
        }

        @Override
        public SDVariable visitDecomposedConv2d(Layer.DecomposedConv2d conv) {
            return decomposed(conv);
        }

        @Override
        public SDVariable visitBatchNorm(Layer.BatchNorm bn) {
            return batchNorm(bn);
        }

        @Override
        public SDVariable visitRelu(Layer.Relu relu) {
            return same(relu, FastOps.relu(sd, input(relu.input())));
        }

        @Override
        public SDVariable visitClippedRelu(Layer.ClippedRelu relu) {
            return same(relu, sd.math().clipByValue(input(relu.input()), 0.0, relu.max()));
        }

        @Override
        public SDVariable visitPool(Layer.Pool pool) {
            return same(pool, pool(pool));
        }

        @Override
        public SDVariable visitGlobalAvgPool(Layer.GlobalAvgPool gap) {
            return same(gap, input(gap.input()).mean(true, 2, 3));
        }

        @Override
        public SDVariable visitAdd(Layer.Add add) {
            return add(add);
        }

        @Override
        public SDVariable visitFlatten(Layer.Flatten flatten) {
            return flatten(flatten);
        }

        @Override
        public SDVariable visitLinear(Layer.Linear linear) {
            return linear(linear);
        }

        @Override
        public SDVariable visitDropout(Layer.Dropout dropout) {
            SDVariable x = input(dropout.input());
            if (mode != Mode.TRAIN || dropout.rate() <= 0) {
                return same(dropout, x);
            }
            // SameDiff's dropout ops have no gradient in M2.1: the trainer feeds an inverted-dropout keep-mask
            // (0 or 1/(1-rate)) per step instead, drawn from the step's seed.
            int rank = ranks.get(dropout.input());
            long[] shape = rank == 4 ? shapes.chw(dropout.input()) : new long[] {shapes.features(dropout.input())};
            long[] placeholder = new long[shape.length + 1];
            placeholder[0] = -1;
            System.arraycopy(shape, 0, placeholder, 1, shape.length);
            SDVariable keep = sd.placeHolder(dropout.name() + "/keep", dataType, placeholder);
            dropouts.add(new DropoutMask(keep.name(), shape, dropout.rate()));
            return same(dropout, x.mul(keep));
        }

        private SDVariable same(Layer layer, SDVariable out) {
            ranks.put(layer.name(), ranks.get(layer.inputs().get(0)));
            return out;
        }

        private SDVariable input(String name) {
            SDVariable v = activations.get(name);
            if (v == null) {
                throw new IllegalArgumentException("layer input '" + name + "' is not an earlier layer");
            }
            return v;
        }

        private SDVariable trainable(String layer, String parameter) {
            String name = ParameterNames.of(layer, parameter);
            Tensor tensor = model.parameters().get(name);
            if (tensor == null) {
                throw new IllegalArgumentException("layer " + layer + ": parameter " + name + " is missing");
            }
            INDArray array = Nd4j.create(tensor.data(), toLong(tensor.shape()), 'c').castTo(dataType);
            SDVariable v = sd.var(name, array);
            variables.put(name, v.name());
            return v;
        }

        private Conv2DConfig convConfig(int kernel, int stride, int padding) {
            return Conv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
                    .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        }

        /**
         * The window's input as SameDiff's conv and pool layers can take it: they pad every side alike, so a layer
         * padded per side gets its input padded explicitly with {@code value} (a pad op, whose gradient is the
         * slice back) and then no padding of its own: zeros for a convolution; for a max pool, the values mirrored at
         * the edge (symmetric mode), so that padding never wins the max. That is exact where no side pads more than
         * half the window, as the shape rules require: a window reaching p values past an edge spans at least p
         * values inside it, and those are the ones mirrored.
         *
         * @return the input, padded explicitly when the padding is not uniform
         */
        private SDVariable windowInput(SDVariable x, Padding padding, PadMode mode) {
            if (padding.isUniform()) {
                return x;
            }
            INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {padding.top(), padding.bottom()},
                {padding.left(), padding.right()}});
            return sd.nn().pad(x, sd.constant(pads), mode, 0);
        }

        /** @return the padding SameDiff's layer adds itself: all of it when uniform, else none (see windowInput) */
        private static int ownPadding(Padding padding) {
            return padding.isUniform() ? padding.top() : 0;
        }

        private SDVariable conv(Layer.Conv2d conv) {
            ranks.put(conv.name(), 4);
            SDVariable x = windowInput(input(conv.input()), conv.padding(), PadMode.CONSTANT);
            SDVariable weight = trainable(conv.name(), ParameterNames.WEIGHT);
            SDVariable bias = conv.bias() ? trainable(conv.name(), ParameterNames.BIAS) : null;
            Conv2DConfig config = convConfig(conv.kernel(), conv.stride(), ownPadding(conv.padding()));
            if (conv.groups() == 1) {
                // [N, C, k, k] -> [k, k, C, N], the layout conv2d's backward pass accepts in ND4J 1.0.0-M2.1
                SDVariable w = weight.permute(2, 3, 1, 0);
                return bias == null ? sd.cnn().conv2d(x, w, config) : sd.cnn().conv2d(x, w, bias, config);
            }
            if (conv.groups() == conv.inChannels() && conv.outChannels() == conv.inChannels()) {
                SDVariable w = weight.permute(2, 3, 0, 1); // [C, 1, k, k] -> [k, k, C, 1]
                return sd.cnn().depthWiseConv2d(x, w, bias, config);
            }
            throw new IllegalArgumentException("layer " + conv.name() + ": training a convolution with "
                    + conv.groups() + " groups is not supported (only 1 or depthwise)");
        }

        private SDVariable decomposed(Layer.DecomposedConv2d conv) {
            ranks.put(conv.name(), 4);
            SDVariable x = windowInput(input(conv.input()), conv.padding(), PadMode.CONSTANT);
            SDVariable coefficients = trainable(conv.name(), ParameterNames.COEFFICIENTS);
            SDVariable basis = trainable(conv.name(), ParameterNames.BASIS);
            SDVariable bias = conv.bias() ? trainable(conv.name(), ParameterNames.BIAS) : null;
            int n = conv.outChannels();
            int c = conv.inChannels();
            int k = conv.kernel();
            SDVariable kernel = coefficients.reshape(n * c, conv.bases()).mmul(basis).reshape(n, c, k, k)
                    .permute(2, 3, 1, 0);
            Conv2DConfig config = convConfig(k, conv.stride(), ownPadding(conv.padding()));
            return bias == null ? sd.cnn().conv2d(x, kernel, config) : sd.cnn().conv2d(x, kernel, bias, config);
        }

        private SDVariable batchNorm(Layer.BatchNorm bn) {
            SDVariable x = input(bn.input());
            int rank = ranks.get(bn.input());
            ranks.put(bn.name(), rank);
            int channels = bn.channels();
            SDVariable gamma = trainable(bn.name(), ParameterNames.GAMMA);
            SDVariable beta = trainable(bn.name(), ParameterNames.BETA);
            int[] axes = rank == 4 ? new int[] {0, 2, 3} : new int[] {0};
            long[] broadcast = rank == 4 ? new long[] {1, channels, 1, 1} : new long[] {1, channels};
            int spatial = rank == 4 ? (int) (shapes.features(bn.input()) / channels) : 1;
            if (mode == Mode.TRAIN) {
                // The formulation is chosen for ND4J 1.0.0-M2.1's kernels, measured: multiply_bp on activation-sized
                // tensors is pathologically slow there, while a squared norm's backward (2x·g), subtraction and
                // oneDNN's depthwise convolution are fast. So: the variance is the squared norm of the deviation
                // over the count (two passes, no E[x²]-E[x]² cancellation; unlike norm2, whose backward divides by
                // the norm, it stays finite for a channel that is all zeros, as a pruned filter's is), and the
                // per-channel scale and shift are a 1×1 depthwise convolution.
                SDVariable mean = x.mean(bn.name() + "/batch_mean", false, axes);
                SDVariable deviation = x.sub(mean.reshape(broadcast));
                SDVariable count = sd.sizeAt(x, 0).castTo(dataType).mul(spatial);
                SDVariable variance = sd.squaredNorm(deviation, false, axes).div(bn.name() + "/batch_var", count);
                SDVariable scale = gamma.div(sd.math().sqrt(variance.add(bn.epsilon())));
                statistics.add(new BatchNormStatistics(bn, mean.name(), variance.name(), spatial));
                return scaleAndShift(deviation, scale, beta, channels, rank);
            }
            INDArray mean = array(ParameterNames.of(bn.name(), ParameterNames.RUNNING_MEAN));
            INDArray var = array(ParameterNames.of(bn.name(), ParameterNames.RUNNING_VAR));
            SDVariable scale = gamma.div(sd.constant(Transforms.sqrt(var.add(bn.epsilon()), false)));
            SDVariable shift = beta.sub(scale.mul(sd.constant(mean)));
            return scaleAndShift(x, scale, shift, channels, rank);
        }

        /** x·scale + shift per channel: a 1×1 depthwise convolution for images, broadcasting for vectors. */
        private SDVariable scaleAndShift(SDVariable x, SDVariable scale, SDVariable shift, int channels, int rank) {
            if (rank == 4) {
                return sd.cnn().depthWiseConv2d(x, scale.reshape(1, 1, channels, 1), shift, convConfig(1, 1, 0));
            }
            return x.mul(scale.reshape(1, channels)).add(shift.reshape(1, channels));
        }

        private INDArray array(String name) {
            Tensor tensor = model.parameters().get(name);
            if (tensor == null) {
                throw new IllegalArgumentException("parameter " + name + " is missing");
            }
            return Nd4j.create(tensor.data(), toLong(tensor.shape()), 'c').castTo(dataType);
        }

        private SDVariable pool(Layer.Pool pool) {
            int own = ownPadding(pool.padding());
            Pooling2DConfig config = Pooling2DConfig.builder().kH(pool.kernel()).kW(pool.kernel()).sH(pool.stride())
                    .sW(pool.stride()).pH(own).pW(own).paddingMode(PaddingMode.VALID)
                    .isNHWC(false).build();
            if (pool.kind() == Layer.PoolKind.MAX) {
                return sd.cnn().maxPooling2d(windowInput(input(pool.input()), pool.padding(), PadMode.SYMMETRIC),
                        config);
            }
            SDVariable x = input(pool.input());
            if (!pool.padding().isNone()) {
                throw new IllegalArgumentException("layer " + pool.name()
                        + ": training average pooling with padding is not supported");
            }
            return sd.cnn().avgPooling2d(x, config);
        }

        private SDVariable add(Layer.Add add) {
            List<String> inputs = add.inputs();
            SDVariable sum = input(inputs.get(0));
            for (int i = 1; i < inputs.size(); i++) {
                sum = sum.add(input(inputs.get(i)));
            }
            ranks.put(add.name(), ranks.get(inputs.get(0)));
            return sum;
        }

        private SDVariable flatten(Layer.Flatten flatten) {
            ranks.put(flatten.name(), 2);
            SDVariable x = input(flatten.input());
            return ranks.get(flatten.input()) == 2 ? x : flat(x, shapes.features(flatten.input()));
        }

        private SDVariable flat(SDVariable x, long features) {
            // [B, C, H, W] -> [B, C*H*W], channel-major like the IR
            return x.reshape(-1, features);
        }

        private SDVariable linear(Layer.Linear linear) {
            ranks.put(linear.name(), 2);
            SDVariable x = input(linear.input());
            if (ranks.get(linear.input()) == 4) {
                x = flat(x, linear.inFeatures());
            }
            SDVariable weight = trainable(linear.name(), ParameterNames.WEIGHT);
            SDVariable out = x.mmul(weight.permute(1, 0));
            return linear.bias() ? out.add(trainable(linear.name(), ParameterNames.BIAS)) : out;
        }

        private static long[] toLong(int[] shape) {
            long[] l = new long[shape.length];
            for (int i = 0; i < shape.length; i++) {
                l[i] = shape[i];
            }
            return l;
        }
    }
}
