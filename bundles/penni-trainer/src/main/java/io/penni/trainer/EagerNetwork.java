package io.penni.trainer;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;

/**
 * A training step computed layer by layer, without a graph: convolutions and their gradients by ND4J's native
 * {@code conv2d} / {@code conv2d_bp} (oneDNN where the platform has it), fully connected layers by GEMM, and batch
 * norm, ReLU, pooling, residual sums, dropout and the loss by loops of its own over the arrays' memory, split across
 * a few threads. A ReLU that is the only reader of a batch norm or a residual sum is folded into it (one pass each
 * way), and the first convolution computes its kernel's gradient alone (the image's is not needed).
 *
 * <p>Why not SameDiff: measured on vgg-small at batch 128 (2 cores), SameDiff spent a third of a step outside its
 * ops and most of the rest of the non-convolution time in reductions and broadcasts over the batch-norm axes; the
 * same convolutions called directly took 94 ms of a step that SameDiff needed 430–510 ms for.
 *
 * <p>It covers ordinary and PENNI-decomposed convolutions padded alike on every side, batch norm over images or
 * features, ReLU and clipped ReLU, max and average pooling padded alike, global average pooling, residual sums,
 * flattening, fully connected layers and dropout, with a fully connected layer giving the logits; anything else
 * trains on {@link SameDiffStep} ({@link #unsupported(Network)} says why).
 *
 * <p>Arrays are kept between steps and reused while the batch size stays the same; one instance serves one thread.
 */
final class EagerNetwork implements TrainingStep {

    private final Model source;
    private final Optional<ModelGraph.DistillationLoss> distillation;
    private final Workers workers;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private final Map<String, INDArray> parameterGradients = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<BatchNormLayer> batchNorms = new ArrayList<>();
    private final List<ModelGraph.DropoutMask> dropouts = new ArrayList<>();
    private final int output;
    private final int classes;
    /** Rank of each layer's output (4: images, 2: features), as the nodes are built. */
    private final List<Integer> ranks = new ArrayList<>();
    private final ActivationShapes shapes;

    // the step in progress
    private INDArray[] values;
    private INDArray[] gradients;
    private boolean[] owned;
    private Map<String, INDArray> keepMasks;
    private Map<String, INDArray> batchMean;
    private Map<String, INDArray> batchVariance;
    private INDArray lossGradient;

    /**
     * Why the eager step cannot train a network, if it cannot.
     *
     * @param network the network
     * @return the reason, or empty when every layer is covered
     */
    static Optional<String> unsupported(Network network) {
        if (network.layers().isEmpty() || !(network.layers().get(0) instanceof Layer.Input)) {
            return Optional.of("its first layer is not its input");
        }
        for (Layer layer : network.layers()) {
            String reason = null;
            if (layer instanceof Layer.Input && layer != network.layers().get(0)) {
                reason = "a second input";
            } else if (layer instanceof Layer.Conv2d c && c.groups() != 1) {
                reason = "a convolution with " + c.groups() + " groups";
            } else if (layer instanceof Layer.Windowed w && !w.padding().isUniform()) {
                reason = "padded unevenly";
            } else if (layer instanceof Layer.Pool p && p.kind() != Layer.PoolKind.MAX && !p.padding().isNone()) {
                reason = "average pooling with padding";
            }
            if (reason != null) {
                return Optional.of("layer " + layer.name() + " is " + reason);
            }
        }
        Optional<Layer> last = network.layers().stream().filter(l -> l.name().equals(network.output())).findFirst();
        if (last.isEmpty() || !(last.get() instanceof Layer.Linear)) {
            return Optional.of("the network's output is not a fully connected layer");
        }
        return Optional.empty();
    }

    /**
     * Builds the step for a model.
     *
     * @param model the model; its parameter values are copied
     * @param distillation the distillation loss, or empty for cross-entropy
     * @param threads threads for the loops of its own
     * @throws IllegalArgumentException when {@link #unsupported(Network)} names a reason
     */
    EagerNetwork(Model model, Optional<ModelGraph.DistillationLoss> distillation, int threads) {
        Optional<String> reason = unsupported(model.network());
        if (reason.isPresent()) {
            throw new IllegalArgumentException("the eager trainer cannot train this network: " + reason.get());
        }
        this.source = model;
        this.distillation = distillation;
        this.shapes = ActivationShapes.of(model.network());
        List<Layer> layers = model.network().layers();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> readers = new HashMap<>();
        for (Layer layer : layers) {
            for (String in : layer.inputs()) {
                readers.merge(in, 1, Integer::sum);
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            index.put(layer.name(), i);
            int[] inputs = layer.inputs().stream().mapToInt(name -> {
                Integer at = index.get(name);
                if (at == null) {
                    throw new IllegalArgumentException("layer input '" + name + "' is not an earlier layer");
                }
                return at;
            }).toArray();
            nodes.add(node(layer, inputs, layers, readers));
        }
        Integer out = index.get(model.network().output());
        if (out == null) {
            throw new IllegalArgumentException("network output '" + model.network().output() + "' is not a layer");
        }
        this.output = out;
        this.classes = ((Layer.Linear) layers.get(out)).outFeatures();
        // last: a constructor that throws leaves no threads behind
        this.workers = new Workers(threads);
    }

    private Node node(Layer layer, int[] inputs, List<Layer> layers, Map<String, Integer> readers) {
        int in = inputs.length > 0 ? inputs[0] : -1;
        if (layer instanceof Layer.Input) {
            ranks.add(4);
            return new InputNode();
        }
        ranks.add(layer instanceof Layer.Flatten || layer instanceof Layer.Linear ? 2
                : layer instanceof Layer.Conv2d || layer instanceof Layer.DecomposedConv2d
                        || layer instanceof Layer.GlobalAvgPool ? 4 : ranks.get(in));
        if (layer instanceof Layer.Conv2d c) {
            return new ConvNode(in, c.outChannels(), c.kernel(), c.stride(), c.padding().top(),
                    trainable(c.name(), ParameterNames.WEIGHT), null, null,
                    c.bias() ? trainable(c.name(), ParameterNames.BIAS) : null, in == 0);
        }
        if (layer instanceof Layer.DecomposedConv2d c) {
            return new ConvNode(in, c.outChannels(), c.kernel(), c.stride(), c.padding().top(), null,
                    trainable(c.name(), ParameterNames.COEFFICIENTS), trainable(c.name(), ParameterNames.BASIS),
                    c.bias() ? trainable(c.name(), ParameterNames.BIAS) : null, in == 0);
        }
        if (layer instanceof Layer.BatchNorm bn) {
            return batchNorm(bn, in, layers, readers);
        }
        if (layer instanceof Layer.Relu) {
            boolean folded = nodes.get(in) instanceof BatchNormNode bn && bn.relu
                    || nodes.get(in) instanceof AddNode add && add.relu;
            return folded ? new AliasNode(in) : new ReluNode(in, Float.POSITIVE_INFINITY);
        }
        if (layer instanceof Layer.ClippedRelu r) {
            return new ReluNode(in, (float) r.max());
        }
        if (layer instanceof Layer.Pool p) {
            return new PoolNode(in, p.kind() == Layer.PoolKind.MAX, p.kernel(), p.stride(), p.padding().top());
        }
        if (layer instanceof Layer.GlobalAvgPool) {
            return new GlobalAvgPoolNode(in);
        }
        if (layer instanceof Layer.Add) {
            return new AddNode(inputs, onlyReaderIsRelu(layer, layers, readers));
        }
        if (layer instanceof Layer.Flatten) {
            return new FlattenNode(in);
        }
        if (layer instanceof Layer.Linear l) {
            return new LinearNode(in, l.inFeatures(), l.outFeatures(), trainable(l.name(), ParameterNames.WEIGHT),
                    l.bias() ? trainable(l.name(), ParameterNames.BIAS) : null);
        }
        if (layer instanceof Layer.Dropout d) {
            if (d.rate() <= 0) {
                return new AliasNode(in);
            }
            String placeholder = d.name() + "/keep";
            long[] shape = ranks.get(in) == 4 ? shapes.chw(d.input()) : new long[] {shapes.features(d.input())};
            dropouts.add(new ModelGraph.DropoutMask(placeholder, shape, d.rate()));
            return new DropoutNode(in, placeholder);
        }
        throw new IllegalArgumentException("layer " + layer.name() + ": the eager trainer has no "
                + layer.getClass().getSimpleName());
    }

    private Node batchNorm(Layer.BatchNorm bn, int input, List<Layer> layers, Map<String, Integer> readers) {
        boolean relu = onlyReaderIsRelu(bn, layers, readers);
        long perImage = shapes.features(bn.input()) / bn.channels();
        batchNorms.add(new BatchNormLayer(bn, perImage));
        return new BatchNormNode(bn.name(), input, bn.channels(), bn.epsilon(), relu,
                trainable(bn.name(), ParameterNames.GAMMA), trainable(bn.name(), ParameterNames.BETA));
    }

    /** Whether the layer's only reader is a ReLU (and the layer is not the output): the ReLU can be folded in. */
    private boolean onlyReaderIsRelu(Layer layer, List<Layer> layers, Map<String, Integer> readers) {
        return readers.getOrDefault(layer.name(), 0) == 1 && !layer.name().equals(source.network().output())
                && layers.stream().anyMatch(l -> l instanceof Layer.Relu r && r.input().equals(layer.name()));
    }

    private String trainable(String layer, String parameter) {
        String name = ParameterNames.of(layer, parameter);
        Tensor tensor = source.parameters().get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("layer " + layer + ": parameter " + name + " is missing");
        }
        long[] shape = Arrays.stream(tensor.shape()).asLongStream().toArray();
        parameters.put(name, Nd4j.create(tensor.data().clone(), shape, 'c'));
        parameterGradients.put(name, Nd4j.create(DataType.FLOAT, shape, 'c'));
        return name;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    @Override
    public List<BatchNormLayer> batchNorms() {
        return List.copyOf(batchNorms);
    }

    @Override
    public List<ModelGraph.DropoutMask> dropoutMasks() {
        return List.copyOf(dropouts);
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public Result run(INDArray input, INDArray labels, Optional<INDArray> teacher, Map<String, INDArray> masks) {
        int n = nodes.size();
        values = new INDArray[n];
        gradients = new INDArray[n];
        owned = new boolean[n];
        keepMasks = masks;
        batchMean = new HashMap<>();
        batchVariance = new HashMap<>();
        INDArray in = input.dataType() == DataType.FLOAT && input.ordering() == 'c' ? input
                : input.castTo(DataType.FLOAT).dup('c');
        values[0] = in;
        for (int i = 1; i < n; i++) {
            values[i] = nodes.get(i).forward(this);
        }
        INDArray logitsArray = values[output];
        int batch = (int) logitsArray.size(0);
        float[] logits = floats(logitsArray, batch * classes);
        float[] target = floats(labels, batch * classes);
        float[] soft = teacher.map(t -> floats(t, batch * classes)).orElse(null);
        lossGradient = buffer(lossGradient, batch, classes);
        writeLossGradient(logits, target, soft, batch, view(lossGradient));
        gradients[output] = lossGradient;
        owned[output] = true;
        for (int i = n - 1; i > 0; i--) {
            if (gradients[i] != null) {
                nodes.get(i).backward(this, gradients[i]);
            }
        }
        Result result = new Result(parameterGradients, logits, batchMean, batchVariance);
        values = null;
        gradients = null;
        keepMasks = null;
        return result;
    }

    /** The loss's gradient of the logits, {@code [batch × classes]}: softmax minus target, averaged over the batch. */
    private void writeLossGradient(float[] logits, float[] labels, float[] teacher, int batch, FloatBuffer out) {
        double alpha = distillation.map(ModelGraph.DistillationLoss::alpha).orElse(0.0);
        double temperature = distillation.map(ModelGraph.DistillationLoss::temperature).orElse(1.0);
        double[] p = new double[classes];
        for (int b = 0; b < batch; b++) {
            int o = b * classes;
            softmax(logits, o, 1, p);
            for (int c = 0; c < classes; c++) {
                out.put(o + c, (float) ((1 - alpha) * (p[c] - labels[o + c]) / batch));
            }
            if (teacher != null && alpha > 0) {
                softmax(logits, o, temperature, p);
                for (int c = 0; c < classes; c++) {
                    // d/dz of alpha·T²·CE(teacher, softmax(z / T)) is alpha·T·(softmax(z / T) − teacher)
                    out.put(o + c, out.get(o + c) + (float) (alpha * temperature * (p[c] - teacher[o + c]) / batch));
                }
            }
        }
    }

    private void softmax(float[] logits, int offset, double temperature, double[] p) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[offset + c] / temperature);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            p[c] = Math.exp(logits[offset + c] / temperature - max);
            sum += p[c];
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= sum;
        }
    }

    /** Adds a gradient reaching value {@code i}; {@code mine} says whether the array may be added into later. */
    private void addGradient(int i, INDArray g, boolean mine) {
        if (i == 0) {
            return; // the input's gradient is not needed
        }
        if (gradients[i] == null) {
            gradients[i] = g;
            owned[i] = mine;
        } else if (owned[i]) {
            gradients[i].addi(g);
        } else if (mine) {
            // the new array may be written: the sum goes there, no array is allocated
            gradients[i] = g.addi(gradients[i]);
            owned[i] = true;
        } else {
            gradients[i] = gradients[i].add(g);
            owned[i] = true;
        }
    }

    @Override
    public Model toModel(Map<String, Tensor> others) {
        Map<String, Tensor> out = new LinkedHashMap<>(source.parameters());
        out.putAll(others);
        parameters.forEach((name, array) -> out.put(name,
                new Tensor(source.parameters().get(name).shape(), array.dup('c').data().asFloat())));
        return new Model(source.network(), out);
    }

    @Override
    public void close() {
        workers.close();
    }

    // ---- memory helpers

    /** The array's memory as floats; index 0 is the array's first element only with {@link #base(INDArray)}. */
    private static FloatBuffer view(INDArray a) {
        return a.data().asNioFloat();
    }

    private static int base(INDArray a) {
        return Math.toIntExact(a.offset());
    }

    private static float[] floats(INDArray a, int count) {
        INDArray c = a.dataType() == DataType.FLOAT && a.ordering() == 'c' && a.length() == count ? a
                : a.castTo(DataType.FLOAT).dup('c');
        float[] out = new float[count];
        view(c).get(base(c), out, 0, count);
        return out;
    }

    /** {@code cached} when it has the shape, else a new uninitialised array. */
    private static INDArray buffer(INDArray cached, long... shape) {
        if (cached != null && Arrays.equals(cached.shape(), shape)) {
            return cached;
        }
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }

    /** A loop body over values {@code [from, from + count)} with two scratch arrays of at least {@code count}. */
    @FunctionalInterface
    private interface Chunk {
        void run(int from, int count, float[] a, float[] b);
    }

    /** Values a chunk copies to the heap at a time: two arrays of it stay in the L1 cache. */
    private static final int CHUNK = 2048;

    /** Runs {@code body} over {@code [0, length)} in chunks, split across the workers. */
    private static void chunks(EagerNetwork s, int length, Chunk body) {
        int count = (length + CHUNK - 1) / CHUNK;
        s.workers.forEach(count, (first, last) -> {
            float[] a = new float[CHUNK];
            float[] b = new float[CHUNK];
            for (int k = first; k < last; k++) {
                int from = k * CHUNK;
                body.run(from, Math.min(CHUNK, length - from), a, b);
            }
        });
    }

    /**
     * {@code into = g} where {@code y > 0}, else 0, for {@code y} a ReLU's output ({@code y ≥ 0}). Without a branch:
     * a positive float's bits are a positive int, so {@code -bits >> 31} is all ones exactly where y is positive.
     */
    private static void passWherePositive(EagerNetwork s, INDArray y, INDArray g, INDArray into) {
        FloatBuffer ys = view(y);
        FloatBuffer gs = view(g);
        FloatBuffer out = view(into);
        int yb = base(y);
        int gb = base(g);
        chunks(s, (int) y.length(), (from, count, a, b) -> {
            ys.get(yb + from, a, 0, count);
            gs.get(gb + from, b, 0, count);
            for (int i = 0; i < count; i++) {
                int keep = -Float.floatToRawIntBits(a[i]) >> 31;
                b[i] = Float.intBitsToFloat(Float.floatToRawIntBits(b[i]) & keep);
            }
            out.put(from, b, 0, count);
        });
    }

    // ---- the layers

    /** Whether this JVM has the Vector API (the JVM started with {@code --add-modules jdk.incubator.vector}). */
    static final boolean VECTOR = vectorApi();

    /** Whether few-channel 3 × 3 convolutions of stride 1 run on {@link PaddedConv3x3}, not on ND4J. */
    static final boolean DIRECT = VECTOR && !Boolean.getBoolean("penni.trainer.nd4jConv");

    private static boolean vectorApi() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return PaddedConv3x3.lanes() > 0 && VectorSums.lanes() > 0;
        } catch (LinkageError e) {
            return false; // in the JVM but not wired to this bundle
        }
    }

    /** Input × output channel pairs up to which a 3 × 3 convolution runs on {@link PaddedConv3x3}. */
    static final int DIRECT_MAX_PAIRS = Integer.getInteger("penni.trainer.directMaxPairs", 24 * 24);

    /**
     * Whether 1 × 1 convolutions (of any stride) run as GEMMs on the sampled input ({@code ConvNode.columns}), not as
     * ND4J's {@code conv2d} / {@code conv2d_bp}: resnet-small's stride-2 shortcuts at batch 128 took 4.3 and 3.3 ms
     * a step this way against 6.4 and 4.2 on ND4J (quiet, per-layer timers; PyTorch 4.8 and 1.8). For 3 × 3 stride-2
     * layers a patch-matrix version measured 1.5–1.7× slower than ND4J (beside a training job; the patch matrix is
     * nine times the input), so they stay on ND4J.
     */
    static final boolean GEMM_CONV = !Boolean.getBoolean("penni.trainer.nd4jConv");

    /** One layer's forward and backward pass. */
    private abstract static class Node {
        /** @return the layer's output for the step's values */
        abstract INDArray forward(EagerNetwork s);

        /** Adds the gradients of the layer's inputs and parameters, given its output's. */
        abstract void backward(EagerNetwork s, INDArray gy);
    }

    /** A layer of one input, with the arrays it keeps between steps for its output and its input's gradient. */
    private abstract static class OneInput extends Node {
        /** Index of the layer it reads. */
        final int in;
        INDArray out;
        INDArray inputGradient;

        OneInput(int in) {
            this.in = in;
        }
    }

    private static final class InputNode extends Node {
        @Override
        INDArray forward(EagerNetwork s) {
            throw new IllegalStateException("the input is fed, not computed");
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            // nothing before the input
        }
    }

    /** Passes its input on unchanged (a ReLU folded into its batch norm, dropout that drops nothing). */
    private static final class AliasNode extends OneInput {
        AliasNode(int in) {
            super(in);
        }

        @Override
        INDArray forward(EagerNetwork s) {
            return s.values[in];
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            s.addGradient(in, gy, false);
        }
    }

    /**
     * A convolution, ordinary ({@code weight}) or decomposed ({@code coefficients · basis}, formed into a kernel
     * each step; its gradient is split back onto both factors).
     */
    private static final class ConvNode extends OneInput {
        private final int outChannels;
        private final int kernel;
        private final int stride;
        private final int padding;
        private final String weight;
        private final String coefficients;
        private final String basis;
        private final String bias;
        /** Whether it reads the network's input, whose gradient no one needs. */
        private final boolean first;
        private INDArray formed;
        private INDArray formedGradient;
        private INDArray patches;
        private INDArray rows;
        private PaddedConv3x3 geometry;
        private float[] paddedInput;
        private float[] paddedGradient;
        /** The input at the positions a 1 × 1 kernel reads, {@code [in, images · positions]}, for the GEMM path. */
        private INDArray columns;
        private INDArray columnGradient;
        /** The output or its gradient as {@code [out, images · positions]}, for the GEMM path. */
        private INDArray outputRows;
        /** Whether this step's convolution runs on the GEMM path; set per step. */
        private boolean gemm;

        ConvNode(int in, int outChannels, int kernel, int stride, int padding, String weight, String coefficients,
                String basis, String bias, boolean first) {
            super(in);
            this.first = first;
            this.outChannels = outChannels;
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
            this.weight = weight;
            this.coefficients = coefficients;
            this.basis = basis;
            this.bias = bias;
        }

        private int[] arguments() {
            // kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: explicit), data format (0: NCHW),
            // weight format (1: [out, in, kH, kW], the IR's layout)
            return new int[] {kernel, kernel, stride, stride, padding, padding, 1, 1, 0, 0, 1};
        }

        private INDArray kernel(EagerNetwork s) {
            if (weight != null) {
                return s.parameters.get(weight);
            }
            INDArray c = s.parameters.get(coefficients);
            long rows = c.size(0) * c.size(1);
            INDArray b = s.parameters.get(basis);
            if (formed == null) {
                formed = Nd4j.create(DataType.FLOAT, c.size(0), c.size(1), kernel, kernel);
                formedGradient = Nd4j.create(DataType.FLOAT, c.size(0), c.size(1), kernel, kernel);
            }
            Nd4j.gemm(c.reshape('c', rows, c.size(2)), b.reshape('c', b.size(0), (long) kernel * kernel),
                    formed.reshape('c', rows, (long) kernel * kernel), false, false, 1.0, 0.0);
            return formed;
        }

        /**
         * Whether the convolution runs on {@link PaddedConv3x3}: 3 × 3, stride 1, padding 1, no bias, and few
         * channels ({@value #DIRECT_MAX_PAIRS} input × output channel pairs at most), where oneDNN as ND4J calls it
         * is slow (it picks Winograd for the input's gradient) and the direct loops measured faster; set per step.
         */
        private boolean direct;

        private boolean direct(INDArray x) {
            return DIRECT && kernel == 3 && stride == 1 && padding == 1 && bias == null
                    && x.size(1) * outChannels <= DIRECT_MAX_PAIRS;
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = s.values[in];
            long h = (x.size(2) + 2L * padding - kernel) / stride + 1;
            long w = (x.size(3) + 2L * padding - kernel) / stride + 1;
            out = buffer(out, x.size(0), outChannels, h, w);
            direct = direct(x);
            if (direct) {
                directForward(s, x);
                return out;
            }
            gemm = GEMM_CONV && !first && kernel == 1 && x.size(1) * x.size(0) * h * w <= MAX_PATCHES;
            if (gemm) {
                gemmForward(s, x, (int) h, (int) w);
                return out;
            }
            INDArray[] inputs = bias == null ? new INDArray[] {x, kernel(s)}
                    : new INDArray[] {x, kernel(s), s.parameters.get(bias)};
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(inputs).addOutputs(out)
                    .addIntegerArguments(arguments()).build());
            return out;
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            INDArray x = s.values[in];
            INDArray k = weight != null ? s.parameters.get(weight) : formed;
            INDArray kernelGradient = weight != null ? s.parameterGradients.get(weight) : formedGradient;
            boolean patched = first && patchesFit(x, gy);
            if (direct) {
                directBackward(s, x, gy, k, kernelGradient);
                patched = first;
            } else if (gemm) {
                gemmBackward(s, x, gy, k, kernelGradient);
            } else if (patched) {
                weightGradient(s, x, gy, kernelGradient);
            } else {
                inputGradient = buffer(inputGradient, x.shape());
                INDArray[] inputs = bias == null ? new INDArray[] {x, k, gy}
                        : new INDArray[] {x, k, s.parameters.get(bias), gy};
                INDArray[] outputs = bias == null ? new INDArray[] {inputGradient, kernelGradient}
                        : new INDArray[] {inputGradient, kernelGradient, s.parameterGradients.get(bias)};
                Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(inputs).addOutputs(outputs)
                        .addIntegerArguments(arguments()).build());
            }
            if (weight == null) {
                INDArray c = s.parameters.get(coefficients);
                INDArray b = s.parameters.get(basis);
                long rows = c.size(0) * c.size(1);
                long taps = (long) kernel * kernel;
                INDArray g = formedGradient.reshape('c', rows, taps);
                Nd4j.gemm(g, b.reshape('c', b.size(0), taps),
                        s.parameterGradients.get(coefficients).reshape('c', rows, c.size(2)), false, true, 1.0, 0.0);
                Nd4j.gemm(c.reshape('c', rows, c.size(2)), g,
                        s.parameterGradients.get(basis).reshape('c', b.size(0), taps), true, false, 1.0, 0.0);
            }
            if (!patched) {
                s.addGradient(in, inputGradient, true);
            }
        }

        private void directForward(EagerNetwork s, INDArray x) {
            int images = (int) x.size(0);
            int channels = (int) x.size(1);
            if (geometry == null || geometry.height != x.size(2) || geometry.width != x.size(3)) {
                geometry = new PaddedConv3x3((int) x.size(2), (int) x.size(3));
                paddedInput = null;
                paddedGradient = null;
            }
            long need = geometry.floats((long) images * channels);
            if (paddedInput == null || paddedInput.length < need) {
                paddedInput = new float[Math.toIntExact(need)];
            }
            PaddedConv3x3 g = geometry;
            float[] padded = paddedInput;
            FloatBuffer xs = view(x);
            int xb = base(x);
            s.workers.forEach(images, (from, to) -> g.pack(xs, xb, padded, from * channels, to * channels));
            float[] weights = floats(kernel(s), outChannels * channels * 9);
            FloatBuffer ys = view(out);
            int yb = base(out);
            s.workers.forEach(images, (from, to) -> g.correlate(padded, channels, weights, outChannels, ys, yb, from,
                    to));
        }

        private void directBackward(EagerNetwork s, INDArray x, INDArray gy, INDArray k, INDArray kernelGradient) {
            int images = (int) x.size(0);
            int channels = (int) x.size(1);
            PaddedConv3x3 g = geometry;
            long need = g.floats((long) images * outChannels);
            if (paddedGradient == null || paddedGradient.length < need) {
                paddedGradient = new float[Math.toIntExact(need)];
            }
            float[] gradient = paddedGradient;
            float[] input = paddedInput;
            FloatBuffer gs = view(gy);
            int gb = base(gy);
            s.workers.forEach(images, (from, to) -> g.pack(gs, gb, gradient, from * outChannels, to * outChannels));
            float[] dk = new float[outChannels * channels * 9];
            int pairs = channels * ((outChannels + 1) / 2);
            s.workers.forEach(pairs, (from, to) -> g.kernelGradient(input, channels, gradient, outChannels, images, dk,
                    from, to));
            view(kernelGradient).put(base(kernelGradient), dk);
            if (!first) {
                inputGradient = buffer(inputGradient, x.shape());
                float[] flipped = PaddedConv3x3.flipped(floats(k, dk.length), channels, outChannels);
                FloatBuffer dx = view(inputGradient);
                int db = base(inputGradient);
                s.workers.forEach(images, (from, to) -> g.correlate(gradient, outChannels, flipped, channels, dx, db,
                        from, to));
            }
        }

        /** The sizes the GEMM path works with: the input's, the output's, and the rows' width N·P. */
        private record Sampling(int images, int channels, int height, int width, int oh, int ow, int positions,
                long columnsWide) {
            Sampling(INDArray x, int oh, int ow) {
                this((int) x.size(0), (int) x.size(1), (int) x.size(2), (int) x.size(3), oh, ow, oh * ow,
                        x.size(0) * oh * ow);
            }
        }

        /**
         * The GEMM path's forward pass (1 × 1 kernels): the input at the positions the outputs read, as
         * {@code [C, N·P]} (P output positions an image), {@code [O, C] × that} into {@code [O, N·P]}, copied out as
         * NCHW with the bias.
         */
        private void gemmForward(EagerNetwork s, INDArray x, int oh, int ow) {
            Sampling d = new Sampling(x, oh, ow);
            columns = buffer(columns, d.channels(), d.columnsWide());
            outputRows = buffer(outputRows, outChannels, d.columnsWide());
            FloatBuffer xs = view(x);
            int xb = base(x);
            FloatBuffer cs = view(columns);
            s.workers.forEach(d.images(), (from, to) -> {
                float[] plane = new float[d.height() * d.width()];
                float[] row = new float[d.positions()];
                for (int n = from; n < to; n++) {
                    for (int c = 0; c < d.channels(); c++) {
                        xs.get(xb + (n * d.channels() + c) * d.height() * d.width(), plane, 0, plane.length);
                        sampled(plane, d, row);
                        cs.put(Math.toIntExact(c * d.columnsWide() + (long) n * d.positions()), row, 0, d.positions());
                    }
                }
            });
            Nd4j.gemm(kernel(s).reshape('c', outChannels, d.channels()), columns, outputRows, false, false, 1.0, 0.0);
            float[] biases = bias == null ? null : floats(s.parameters.get(bias), outChannels);
            FloatBuffer rows = view(outputRows);
            FloatBuffer ys = view(out);
            int yb = base(out);
            s.workers.forEach(d.images(), (from, to) -> moveRows(rows, ys, yb, from, to, outChannels, d.positions(),
                    d.columnsWide(), false, biases));
        }

        /**
         * Moves images {@code from}–{@code to} between row form {@code [planes, N·P]} and NCHW planes of
         * {@code positions} values: {@code toRows} reads planes at {@code planesBase} into rows, otherwise rows into
         * planes, adding {@code biases[plane]} when given.
         */
        private static void moveRows(FloatBuffer rows, FloatBuffer planes, int planesBase, int from, int to,
                int count, int positions, long rowWidth, boolean toRows, float[] biases) {
            float[] row = new float[positions];
            for (int n = from; n < to; n++) {
                for (int c = 0; c < count; c++) {
                    int at = Math.toIntExact(c * rowWidth + (long) n * positions);
                    int plane = planesBase + (n * count + c) * positions;
                    if (toRows) {
                        planes.get(plane, row, 0, positions);
                        rows.put(at, row, 0, positions);
                        continue;
                    }
                    rows.get(at, row, 0, positions);
                    if (biases != null) {
                        float b = biases[c];
                        for (int p = 0; p < positions; p++) {
                            row[p] += b;
                        }
                    }
                    planes.put(plane, row, 0, positions);
                }
            }
        }

        /** The plane's value each output position of a 1 × 1 kernel reads (zero where it reads the padding). */
        private void sampled(float[] plane, Sampling d, float[] row) {
            int height = d.height();
            int width = d.width();
            int oh = d.oh();
            int ow = d.ow();
            for (int oy = 0; oy < oh; oy++) {
                int iy = oy * stride - padding;
                int at = oy * ow;
                if (iy < 0 || iy >= height) {
                    java.util.Arrays.fill(row, at, at + ow, 0f);
                    continue;
                }
                int line = iy * width;
                for (int ox = 0; ox < ow; ox++) {
                    int ix = ox * stride - padding;
                    row[at + ox] = ix >= 0 && ix < width ? plane[line + ix] : 0f;
                }
            }
        }

        /**
         * The GEMM path's backward pass: the output's gradient as {@code [O, N·P]}; the kernel's gradient is it times
         * the sampled input transposed, the sampled input's gradient the kernel transposed times it, put back at the
         * positions the outputs read (zero elsewhere).
         */
        private void gemmBackward(EagerNetwork s, INDArray x, INDArray gy, INDArray k, INDArray kernelGradient) {
            Sampling d = new Sampling(x, (int) gy.size(2), (int) gy.size(3));
            FloatBuffer rows = view(outputRows);
            FloatBuffer gs = view(gy);
            int gb = base(gy);
            s.workers.forEach(d.images(), (from, to) -> moveRows(rows, gs, gb, from, to, outChannels, d.positions(),
                    d.columnsWide(), true, null));
            Nd4j.gemm(outputRows, columns, kernelGradient.reshape('c', outChannels, d.channels()), false, true, 1.0,
                    0.0);
            if (bias != null) {
                s.parameterGradients.get(bias).assign(outputRows.sum(1));
            }
            columnGradient = buffer(columnGradient, d.channels(), d.columnsWide());
            Nd4j.gemm(k.reshape('c', outChannels, d.channels()), outputRows, columnGradient, true, false, 1.0, 0.0);
            inputGradient = buffer(inputGradient, x.shape());
            FloatBuffer cs = view(columnGradient);
            FloatBuffer dx = view(inputGradient);
            int db = base(inputGradient);
            s.workers.forEach(d.images(), (from, to) -> {
                float[] plane = new float[d.height() * d.width()];
                float[] row = new float[d.positions()];
                for (int n = from; n < to; n++) {
                    for (int c = 0; c < d.channels(); c++) {
                        java.util.Arrays.fill(plane, 0f);
                        cs.get(Math.toIntExact(c * d.columnsWide() + (long) n * d.positions()), row, 0, d.positions());
                        addSampled(row, d, plane);
                        dx.put(db + (n * d.channels() + c) * d.height() * d.width(), plane, 0, plane.length);
                    }
                }
            });
        }

        /** The inverse of {@link #sampled}: each output position's value added where it read the plane. */
        private void addSampled(float[] row, Sampling d, float[] plane) {
            int height = d.height();
            int width = d.width();
            int oh = d.oh();
            int ow = d.ow();
            for (int oy = 0; oy < oh; oy++) {
                int iy = oy * stride - padding;
                if (iy < 0 || iy >= height) {
                    continue;
                }
                int line = iy * width;
                int at = oy * ow;
                for (int ox = 0; ox < ow; ox++) {
                    int ix = ox * stride - padding;
                    if (ix >= 0 && ix < width) {
                        plane[line + ix] += row[at + ox];
                    }
                }
            }
        }

        /** Values of the patch matrix {@link #weightGradient} may build: 16 M floats, 64 MB. */
        private static final long MAX_PATCHES = 16L << 20;

        private boolean patchesFit(INDArray x, INDArray gy) {
            return gy.size(0) * gy.size(2) * gy.size(3) * x.size(1) * kernel * kernel <= MAX_PATCHES;
        }

        /**
         * The kernel's gradient alone, for the layer reading the network's input: one GEMM of the output gradient,
         * {@code [out, N·positions]}, with the input's patches, {@code [N·positions, C·k·k]}. {@code conv2d_bp}
         * would also compute the input's gradient, which no one needs, and is slow on the few channels of an image
         * (oneDNN picks Winograd for one input channel).
         */
        private void weightGradient(EagerNetwork s, INDArray x, INDArray gy, INDArray kernelGradient) {
            int images = (int) x.size(0);
            int channels = (int) x.size(1);
            int height = (int) x.size(2);
            int width = (int) x.size(3);
            int oh = (int) gy.size(2);
            int ow = (int) gy.size(3);
            int taps = channels * kernel * kernel;
            int positions = oh * ow;
            patches = buffer(patches, (long) images * positions, taps);
            rows = buffer(rows, outChannels, (long) images * positions);
            FloatBuffer xs = view(x);
            FloatBuffer gs = view(gy);
            FloatBuffer ps = view(patches);
            FloatBuffer rs = view(rows);
            int xb = base(x);
            int gb = base(gy);
            s.workers.forEach(images, (from, to) -> {
                float[] image = new float[channels * height * width];
                float[] block = new float[positions * taps];
                float[] g = new float[positions];
                for (int n = from; n < to; n++) {
                    xs.get(xb + n * image.length, image, 0, image.length);
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int at = (oy * ow + ox) * taps;
                            for (int c = 0; c < channels; c++) {
                                for (int ky = 0; ky < kernel; ky++) {
                                    int yy = oy * stride - padding + ky;
                                    for (int kx = 0; kx < kernel; kx++) {
                                        int xx = ox * stride - padding + kx;
                                        boolean inside = yy >= 0 && yy < height && xx >= 0 && xx < width;
                                        block[at++] = inside ? image[(c * height + yy) * width + xx] : 0f;
                                    }
                                }
                            }
                        }
                    }
                    ps.put(n * block.length, block, 0, block.length);
                    for (int o = 0; o < outChannels; o++) {
                        gs.get(gb + (n * outChannels + o) * positions, g, 0, positions);
                        rs.put(o * images * positions + n * positions, g, 0, positions);
                    }
                }
            });
            Nd4j.gemm(rows, patches, kernelGradient.reshape('c', outChannels, taps), false, false, 1.0, 0.0);
            if (bias != null) {
                s.parameterGradients.get(bias).assign(rows.sum(1));
            }
        }
    }

    /**
     * Batch norm with the batch's statistics, per channel over images and positions (or per feature over images);
     * with {@code relu}, also the ReLU that is its only reader.
     */
    private static final class BatchNormNode extends OneInput {
        private final String name;
        private final int channels;
        private final double epsilon;
        private final boolean relu;
        private final String gamma;
        private final String beta;
        private final float[] mean;
        private final float[] inverse;
        private final float[] scale;
        private final float[] shift;

        BatchNormNode(String name, int in, int channels, double epsilon, boolean relu, String gamma, String beta) {
            super(in);
            this.name = name;
            this.channels = channels;
            this.epsilon = epsilon;
            this.relu = relu;
            this.gamma = gamma;
            this.beta = beta;
            this.mean = new float[channels];
            this.inverse = new float[channels];
            this.scale = new float[channels];
            this.shift = new float[channels];
        }

        private static long plane(INDArray x) {
            return x.rank() == 4 ? x.size(2) * x.size(3) : 1;
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = s.values[in];
            int images = (int) x.size(0);
            int area = (int) plane(x);
            out = buffer(out, x.shape());
            FloatBuffer xs = view(x);
            FloatBuffer ys = view(out);
            int xb = base(x);
            float[] g = floats(s.parameters.get(gamma), channels);
            float[] b = floats(s.parameters.get(beta), channels);
            float[] variance = new float[channels];
            float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
            s.workers.forEach(channels, (from, to) -> {
                // one channel at a time, gathered into the heap where the loops vectorise
                float[] v = new float[images * area];
                for (int c = from; c < to; c++) {
                    gather(xs, xb, c, images, area, v);
                    float m = (float) ((VECTOR ? VectorSums.sum(v) : sum(v)) / v.length);
                    float var = (float) ((VECTOR ? VectorSums.squaredDeviation(v, m) : squaredDeviation(v, m))
                            / v.length);
                    float inv = (float) (1 / Math.sqrt(var + epsilon));
                    mean[c] = m;
                    variance[c] = var;
                    inverse[c] = inv;
                    scale[c] = g[c] * inv;
                    shift[c] = b[c];
                    normalise(v, m, scale[c], shift[c], floor);
                    scatter(v, ys, 0, c, images, area);
                }
            });
            s.batchMean.put(name, Nd4j.createFromArray(mean.clone()));
            s.batchVariance.put(name, Nd4j.createFromArray(variance));
            return out;
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            INDArray x = s.values[in];
            int images = (int) x.size(0);
            int area = (int) plane(x);
            inputGradient = buffer(inputGradient, x.shape());
            FloatBuffer xs = view(x);
            FloatBuffer gs = view(gy);
            FloatBuffer dx = view(inputGradient);
            int xb = base(x);
            int gb = base(gy);
            FloatBuffer dGamma = view(s.parameterGradients.get(gamma));
            FloatBuffer dBeta = view(s.parameterGradients.get(beta));
            s.workers.forEach(channels, (from, to) -> {
                float[] xv = new float[images * area];
                float[] gv = new float[images * area];
                for (int c = from; c < to; c++) {
                    gather(xs, xb, c, images, area, xv);
                    gather(gs, gb, c, images, area, gv);
                    float m = mean[c];
                    double[] sums = VECTOR ? VectorSums.sums(xv, gv, m, scale[c], shift[c], relu)
                            : relu ? maskedSums(xv, gv, m, scale[c], shift[c]) : sums(xv, gv, m);
                    double sumG = sums[0];
                    double sumGX = sums[1];
                    dBeta.put(c, (float) sumG);
                    dGamma.put(c, (float) (sumGX * inverse[c]));
                    float a = (float) (sumG / gv.length);
                    float bx = (float) (sumGX / gv.length) * inverse[c] * inverse[c];
                    inputGradient(xv, gv, m, scale[c], a, bx);
                    scatter(gv, dx, 0, c, images, area);
                }
            });
            s.addGradient(in, inputGradient, true);
        }

        /** Channel {@code c}'s values of every image, image after image. */
        private void gather(FloatBuffer from, int base, int c, int images, int area, float[] to) {
            for (int n = 0; n < images; n++) {
                from.get(base + (n * channels + c) * area, to, n * area, area);
            }
        }

        private void scatter(float[] from, FloatBuffer to, int base, int c, int images, int area) {
            for (int n = 0; n < images; n++) {
                to.put(base + (n * channels + c) * area, from, n * area, area);
            }
        }

        private static double sum(float[] v) {
            float a = 0;
            float b = 0;
            float c = 0;
            float d = 0;
            int i = 0;
            for (; i + 3 < v.length; i += 4) {
                a += v[i];
                b += v[i + 1];
                c += v[i + 2];
                d += v[i + 3];
            }
            for (; i < v.length; i++) {
                a += v[i];
            }
            return (double) a + b + c + d;
        }

        private static double squaredDeviation(float[] v, float m) {
            float a = 0;
            float b = 0;
            float c = 0;
            float d = 0;
            int i = 0;
            for (; i + 3 < v.length; i += 4) {
                float p = v[i] - m;
                float q = v[i + 1] - m;
                float r = v[i + 2] - m;
                float t = v[i + 3] - m;
                a += p * p;
                b += q * q;
                c += r * r;
                d += t * t;
            }
            for (; i < v.length; i++) {
                float p = v[i] - m;
                a += p * p;
            }
            return (double) a + b + c + d;
        }

        /** Σ g and Σ g·(x − m), in one pass. */
        private static double[] sums(float[] x, float[] g, float m) {
            float a = 0;
            float b = 0;
            float c = 0;
            float d = 0;
            int i = 0;
            for (; i + 1 < g.length; i += 2) {
                float g0 = g[i];
                float g1 = g[i + 1];
                a += g0;
                b += g1;
                c += g0 * (x[i] - m);
                d += g1 * (x[i + 1] - m);
            }
            for (; i < g.length; i++) {
                a += g[i];
                c += g[i] * (x[i] - m);
            }
            return new double[] {(double) a + b, (double) c + d};
        }

        /** As {@link #sums}, with g zeroed (in place) where the folded ReLU cut the output. */
        private static double[] maskedSums(float[] x, float[] g, float m, float scale, float shift) {
            float a = 0;
            float b = 0;
            float c = 0;
            float d = 0;
            int i = 0;
            for (; i + 1 < g.length; i += 2) {
                float x0 = x[i] - m;
                float x1 = x[i + 1] - m;
                float g0 = x0 * scale + shift > 0 ? g[i] : 0f;
                float g1 = x1 * scale + shift > 0 ? g[i + 1] : 0f;
                g[i] = g0;
                g[i + 1] = g1;
                a += g0;
                b += g1;
                c += g0 * x0;
                d += g1 * x1;
            }
            for (; i < g.length; i++) {
                float x0 = x[i] - m;
                float g0 = x0 * scale + shift > 0 ? g[i] : 0f;
                g[i] = g0;
                a += g0;
                c += g0 * x0;
            }
            return new double[] {(double) a + b, (double) c + d};
        }

        /** {@code (x − mean)·scale + shift}, at least {@code floor}: the deviation first, exact where the mean dwarfs the spread. */
        private static void normalise(float[] v, float mean, float scale, float shift, float floor) {
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.max(floor, (v[i] - mean) * scale + shift);
            }
        }

        private static void inputGradient(float[] x, float[] g, float mean, float scale, float a, float bx) {
            for (int i = 0; i < g.length; i++) {
                g[i] = scale * (g[i] - a - (x[i] - mean) * bx);
            }
        }
    }

    /** ReLU ({@code max} +∞) or clipped ReLU ({@code min(max(x, 0), max)}). */
    private static final class ReluNode extends OneInput {
        private final float max;

        ReluNode(int in, float max) {
            super(in);
            this.max = max;
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = s.values[in];
            out = buffer(out, x.shape());
            FloatBuffer xs = view(x);
            FloatBuffer ys = view(out);
            int xb = base(x);
            int length = (int) x.length();
            float ceiling = max;
            chunks(s, length, (from, count, a, b) -> {
                xs.get(xb + from, a, 0, count);
                for (int i = 0; i < count; i++) {
                    a[i] = Math.min(ceiling, Math.max(0f, a[i]));
                }
                ys.put(from, a, 0, count);
            });
            return out;
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            inputGradient = buffer(inputGradient, out.shape());
            if (max == Float.POSITIVE_INFINITY) {
                passWherePositive(s, out, gy, inputGradient);
            } else {
                FloatBuffer ys = view(out);
                FloatBuffer gs = view(gy);
                FloatBuffer dx = view(inputGradient);
                int gb = base(gy);
                float ceiling = max;
                chunks(s, (int) out.length(), (from, count, y, g) -> {
                    ys.get(from, y, 0, count);
                    gs.get(gb + from, g, 0, count);
                    for (int i = 0; i < count; i++) {
                        g[i] = y[i] > 0 && y[i] < ceiling ? g[i] : 0f;
                    }
                    dx.put(from, g, 0, count);
                });
            }
            s.addGradient(in, inputGradient, true);
        }
    }

    /** Max or average pooling over square windows; a max window reaching past an edge takes the inside only. */
    private static final class PoolNode extends OneInput {
        private final boolean max;
        private final int kernel;
        private final int stride;
        private final int padding;
        /** For max pooling: each output's winning position within its input plane. */
        private int[] winners = new int[0];

        PoolNode(int in, boolean max, int kernel, int stride, int padding) {
            super(in);
            this.max = max;
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = s.values[in];
            int height = (int) x.size(2);
            int width = (int) x.size(3);
            int oh = (height + 2 * padding - kernel) / stride + 1;
            int ow = (width + 2 * padding - kernel) / stride + 1;
            int planes = (int) (x.size(0) * x.size(1));
            out = buffer(out, x.size(0), x.size(1), oh, ow);
            if (max && winners.length != planes * oh * ow) {
                winners = new int[planes * oh * ow];
            }
            FloatBuffer xs = view(x);
            FloatBuffer ys = view(out);
            int xb = base(x);
            boolean halving = max && kernel == 2 && stride == 2 && padding == 0;
            s.workers.forEach(planes, (from, to) -> {
                float[] plane = new float[height * width];
                float[] pooled = new float[oh * ow];
                for (int p = from; p < to; p++) {
                    xs.get(xb + p * height * width, plane, 0, plane.length);
                    if (halving) {
                        halve(plane, width, oh, ow, pooled, winners, p * oh * ow);
                    } else {
                        window(plane, height, width, oh, ow, pooled, p * oh * ow);
                    }
                    ys.put(p * oh * ow, pooled, 0, pooled.length);
                }
            });
            return out;
        }

        /** 2 × 2 windows, stride 2: the largest of each window's four, the first one on ties. */
        private static void halve(float[] plane, int width, int oh, int ow, float[] pooled, int[] winners, int at) {
            for (int oy = 0; oy < oh; oy++) {
                int row = 2 * oy * width;
                for (int ox = 0; ox < ow; ox++) {
                    int i = row + 2 * ox;
                    int best = i;
                    float top = plane[i];
                    if (plane[i + 1] > top) {
                        top = plane[i + 1];
                        best = i + 1;
                    }
                    if (plane[i + width] > top) {
                        top = plane[i + width];
                        best = i + width;
                    }
                    if (plane[i + width + 1] > top) {
                        top = plane[i + width + 1];
                        best = i + width + 1;
                    }
                    pooled[oy * ow + ox] = top;
                    winners[at + oy * ow + ox] = best;
                }
            }
        }

        private void window(float[] plane, int height, int width, int oh, int ow, float[] pooled, int at) {
            float area = kernel * kernel;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(0, oy * stride - padding);
                int y1 = Math.min(height, oy * stride - padding + kernel);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = Math.max(0, ox * stride - padding);
                    int x1 = Math.min(width, ox * stride - padding + kernel);
                    if (max) {
                        int best = y0 * width + x0;
                        float top = plane[best];
                        for (int yy = y0; yy < y1; yy++) {
                            for (int xx = x0; xx < x1; xx++) {
                                if (plane[yy * width + xx] > top) {
                                    top = plane[yy * width + xx];
                                    best = yy * width + xx;
                                }
                            }
                        }
                        pooled[oy * ow + ox] = top;
                        winners[at + oy * ow + ox] = best;
                    } else {
                        float sum = 0;
                        for (int yy = y0; yy < y1; yy++) {
                            for (int xx = x0; xx < x1; xx++) {
                                sum += plane[yy * width + xx];
                            }
                        }
                        pooled[oy * ow + ox] = sum / area;
                    }
                }
            }
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            INDArray x = s.values[in];
            int height = (int) x.size(2);
            int width = (int) x.size(3);
            int oh = (int) out.size(2);
            int ow = (int) out.size(3);
            int planes = (int) (x.size(0) * x.size(1));
            inputGradient = buffer(inputGradient, x.shape());
            FloatBuffer gs = view(gy);
            FloatBuffer dx = view(inputGradient);
            int gb = base(gy);
            float area = kernel * kernel;
            s.workers.forEach(planes, (from, to) -> {
                float[] g = new float[oh * ow];
                float[] d = new float[height * width];
                for (int p = from; p < to; p++) {
                    gs.get(gb + p * oh * ow, g, 0, g.length);
                    java.util.Arrays.fill(d, 0f);
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            float v = g[oy * ow + ox];
                            if (max) {
                                d[winners[p * oh * ow + oy * ow + ox]] += v;
                                continue;
                            }
                            for (int yy = oy * stride; yy < oy * stride + kernel; yy++) {
                                for (int xx = ox * stride; xx < ox * stride + kernel; xx++) {
                                    d[yy * width + xx] += v / area;
                                }
                            }
                        }
                    }
                    dx.put(p * height * width, d, 0, d.length);
                }
            });
            s.addGradient(in, inputGradient, true);
        }
    }

    /** The mean of each channel, {@code [N, C, 1, 1]}. */
    private static final class GlobalAvgPoolNode extends OneInput {
        GlobalAvgPoolNode(int in) {
            super(in);
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = s.values[in];
            int area = (int) (x.size(2) * x.size(3));
            out = buffer(out, x.size(0), x.size(1), 1, 1);
            FloatBuffer xs = view(x);
            FloatBuffer ys = view(out);
            int xb = base(x);
            s.workers.forEach((int) (x.size(0) * x.size(1)), (from, to) -> {
                for (int p = from; p < to; p++) {
                    float sum = 0;
                    for (int i = 0; i < area; i++) {
                        sum += xs.get(xb + p * area + i);
                    }
                    ys.put(p, sum / area);
                }
            });
            return out;
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            INDArray x = s.values[in];
            int area = (int) (x.size(2) * x.size(3));
            inputGradient = buffer(inputGradient, x.shape());
            FloatBuffer gs = view(gy);
            FloatBuffer dx = view(inputGradient);
            int gb = base(gy);
            s.workers.forEach((int) (x.size(0) * x.size(1)), (from, to) -> {
                for (int p = from; p < to; p++) {
                    float g = gs.get(gb + p) / area;
                    for (int i = 0; i < area; i++) {
                        dx.put(p * area + i, g);
                    }
                }
            });
            s.addGradient(in, inputGradient, true);
        }
    }

    /** The sum of its inputs (a residual join); each input gets the output's gradient. */
    private static final class AddNode extends Node {
        private final int[] inputs;
        /** Whether the ReLU that is the sum's only reader is folded in. */
        private final boolean relu;
        private INDArray out;
        private INDArray masked;

        AddNode(int[] inputs, boolean relu) {
            this.inputs = inputs;
            this.relu = relu;
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray first = s.values[inputs[0]];
            out = buffer(out, first.shape());
            FloatBuffer ys = view(out);
            int length = (int) first.length();
            FloatBuffer[] xs = new FloatBuffer[inputs.length];
            int[] bases = new int[inputs.length];
            for (int k = 0; k < inputs.length; k++) {
                INDArray x = s.values[inputs[k]];
                if (!Arrays.equals(x.shape(), first.shape())) {
                    throw new IllegalArgumentException("a residual sum of shapes " + Arrays.toString(first.shape())
                            + " and " + Arrays.toString(x.shape()));
                }
                xs[k] = view(x);
                bases[k] = base(x);
            }
            chunks(s, length, (from, count, sum, term) -> {
                xs[0].get(bases[0] + from, sum, 0, count);
                for (int k = 1; k < xs.length; k++) {
                    xs[k].get(bases[k] + from, term, 0, count);
                    for (int i = 0; i < count; i++) {
                        sum[i] += term[i];
                    }
                }
                if (relu) {
                    for (int i = 0; i < count; i++) {
                        sum[i] = Math.max(0f, sum[i]);
                    }
                }
                ys.put(from, sum, 0, count);
            });
            return out;
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            INDArray g = gy;
            if (relu) {
                masked = buffer(masked, gy.shape());
                passWherePositive(s, out, gy, masked);
                g = masked;
            }
            for (int in : inputs) {
                s.addGradient(in, g, false);
            }
        }
    }

    /** {@code [N, C, H, W]} to {@code [N, C·H·W]}, channel-major like the IR; a view both ways. */
    private static final class FlattenNode extends OneInput {
        FlattenNode(int in) {
            super(in);
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = s.values[in];
            return x.rank() == 2 ? x : x.reshape('c', x.size(0), x.length() / x.size(0));
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            s.addGradient(in, gy.reshape('c', s.values[in].shape()), false);
        }
    }

    /** {@code x · weightᵀ + bias}, the input flattened when it is an image batch. */
    private static final class LinearNode extends OneInput {
        private final int inFeatures;
        private final int outFeatures;
        private final String weight;
        private final String bias;

        LinearNode(int in, int inFeatures, int outFeatures, String weight, String bias) {
            super(in);
            this.inFeatures = inFeatures;
            this.outFeatures = outFeatures;
            this.weight = weight;
            this.bias = bias;
        }

        private INDArray flat(INDArray x) {
            return x.rank() == 2 ? x : x.reshape('c', x.size(0), inFeatures);
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = flat(s.values[in]);
            out = buffer(out, x.size(0), outFeatures);
            Nd4j.gemm(x, s.parameters.get(weight), out, false, true, 1.0, 0.0);
            if (bias != null) {
                out.addiRowVector(s.parameters.get(bias));
            }
            return out;
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            INDArray x = flat(s.values[in]);
            Nd4j.gemm(gy, x, s.parameterGradients.get(weight), true, false, 1.0, 0.0);
            if (bias != null) {
                s.parameterGradients.get(bias).assign(gy.sum(0));
            }
            inputGradient = buffer(inputGradient, x.size(0), inFeatures);
            Nd4j.gemm(gy, s.parameters.get(weight), inputGradient, false, false, 1.0, 0.0);
            s.addGradient(in, inputGradient.reshape('c', s.values[in].shape()), true);
        }
    }

    /** Inverted dropout by the step's keep-mask (0 or 1 / (1 − rate) per value). */
    private static final class DropoutNode extends OneInput {
        private final String placeholder;

        DropoutNode(int in, String placeholder) {
            super(in);
            this.placeholder = placeholder;
        }

        private INDArray keep(EagerNetwork s, INDArray x) {
            INDArray keep = s.keepMasks.get(placeholder);
            if (keep == null) {
                throw new IllegalArgumentException("the step was fed no keep-mask " + placeholder);
            }
            if (keep.length() != x.length()) {
                throw new IllegalArgumentException("keep-mask " + placeholder + " has " + keep.length()
                        + " values for " + x.length());
            }
            return keep.dataType() == DataType.FLOAT && keep.ordering() == 'c' ? keep
                    : keep.castTo(DataType.FLOAT).dup('c');
        }

        private static void times(EagerNetwork s, INDArray a, INDArray b, INDArray into) {
            FloatBuffer as = view(a);
            FloatBuffer bs = view(b);
            FloatBuffer ys = view(into);
            int ab = base(a);
            int bb = base(b);
            chunks(s, (int) a.length(), (from, count, u, v) -> {
                as.get(ab + from, u, 0, count);
                bs.get(bb + from, v, 0, count);
                for (int i = 0; i < count; i++) {
                    u[i] *= v[i];
                }
                ys.put(from, u, 0, count);
            });
        }

        @Override
        INDArray forward(EagerNetwork s) {
            INDArray x = s.values[in];
            out = buffer(out, x.shape());
            times(s, x, keep(s, x), out);
            return out;
        }

        @Override
        void backward(EagerNetwork s, INDArray gy) {
            INDArray x = s.values[in];
            inputGradient = buffer(inputGradient, x.shape());
            times(s, gy, keep(s, x), inputGradient);
            s.addGradient(in, inputGradient, true);
        }
    }
}
