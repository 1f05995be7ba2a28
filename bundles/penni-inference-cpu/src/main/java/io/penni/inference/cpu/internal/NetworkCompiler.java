package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.ModelParameters;
import io.penni.model.NetworkShapes;

/**
 * Turns a validated IR model into {@link Step}s: batch norm folded into the convolution or linear layer it
 * follows when nothing else reads that layer's output, a ReLU fused into the step before it, a two-input add
 * fused into the later-computed of its inputs (the other input becomes that step's residual), a
 * non-overlapping pooling fused into the convolution before it, flatten and
 * dropout resolved to views, and every value given a buffer slot that is reused once its last reader has run.
 */
public final class NetworkCompiler {

    private final Model model;
    private final Map<String, ActivationShape> shapes;
    private final Map<String, Integer> readers = new HashMap<>();
    /** Flatten and dropout layers, by name, to the layer whose values they are. */
    private final Map<String, String> views = new HashMap<>();
    private final Map<String, Node> producer = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Kernels> kernels;

    /** A step in the making: what it reads, the layers fused into it, and its parameters. */
    private static final class Node {
        final Layer layer;
        final List<String> inputs = new ArrayList<>();
        String name;
        StringBuilder kind;
        float[] weight;
        float[] bias;
        float[] basis;
        boolean relu;
        String residual;
        /** A fused pooling window's side, 0 for none; nothing fuses after it. */
        int pool;
        boolean maxPool;
        int index;

        Node(Layer layer, String kind) {
            this.layer = layer;
            this.name = layer.name();
            this.kind = new StringBuilder(kind);
        }

        boolean weighted() {
            return weight != null;
        }

        boolean convolution() {
            return layer instanceof Layer.Conv2d || layer instanceof Layer.DecomposedConv2d;
        }
    }

    private NetworkCompiler(Model model, Map<String, Kernels> kernels) {
        this.model = model;
        this.shapes = NetworkShapes.infer(model.network());
        this.kernels = kernels;
    }

    /**
     * Compiles a model.
     *
     * @param model the model
     * @param kernels the kernel implementations steps may choose between, by name, the default first
     * @param threads threads the program runs on
     * @return the program
     * @throws io.penni.model.ModelException when the model is invalid, naming the layer or parameter
     */
    public static Program compile(Model model, Map<String, Kernels> kernels, int threads) {
        ModelParameters.validate(model);
        return new NetworkCompiler(model, kernels).build(threads);
    }

    private Program build(int threads) {
        for (Layer layer : model.network().layers()) {
            if (view(layer)) {
                views.put(layer.name(), root(layer.inputs().get(0)));
                continue;
            }
            for (String input : layer.inputs()) {
                readers.merge(root(input), 1, Integer::sum);
            }
        }
        readers.merge(root(model.network().output()), 1, Integer::sum);
        for (Layer layer : model.network().layers()) {
            add(layer);
        }
        return allocate(threads);
    }

    private static boolean view(Layer layer) {
        return layer instanceof Layer.Flatten || layer instanceof Layer.Dropout;
    }

    private String root(String name) {
        return views.getOrDefault(name, name);
    }

    /** Whether a layer may fuse into the node making {@code value}: nothing else reads that value. */
    private boolean fusable(Node node, String value) {
        return node.weighted() && open(node, value);
    }

    private boolean open(Node node, String value) {
        return node.name.equals(value) && readers.getOrDefault(value, 0) == 1
                && !value.equals(root(model.network().output()));
    }

    private void add(Layer layer) {
        if (layer instanceof Layer.Input) {
            Node node = new Node(layer, "input");
            nodes.add(node);
            producer.put(layer.name(), node);
            return;
        }
        if (view(layer)) {
            return;
        }
        if (layer instanceof Layer.BatchNorm bn) {
            Node from = producer.get(root(bn.input()));
            if (fusable(from, root(bn.input())) && !from.relu && from.residual == null && from.pool == 0) {
                fold(from, bn);
                fuse(from, bn, "+bn");
                return;
            }
        }
        if (layer instanceof Layer.Relu relu) {
            Node from = producer.get(root(relu.input()));
            if ((fusable(from, root(relu.input())) || sumFusable(from, root(relu.input()))) && !from.relu
                    && from.pool == 0) {
                from.relu = true;
                fuse(from, relu, "+relu");
                return;
            }
        }
        if (layer instanceof Layer.Add sum && sum.inputs().size() == 2) {
            String first = root(sum.inputs().get(0));
            String second = root(sum.inputs().get(1));
            Node a = producer.get(first);
            Node b = producer.get(second);
            Node later = a.index >= b.index ? a : b;
            String laterName = later == a ? first : second;
            String other = later == a ? second : first;
            if (a != b && fusable(later, laterName) && !later.relu && later.residual == null && later.pool == 0) {
                later.residual = producer.get(other).name;
                later.inputs.add(later.residual);
                fuse(later, sum, "+add");
                return;
            }
        }
        if (layer instanceof Layer.Pool p && p.padding() == 0 && p.kernel() == p.stride()) {
            // a non-overlapping window pools a convolution's rows as they are stored: its full-size output
            // is never held
            Node from = producer.get(root(p.input()));
            if (from.convolution() && fusable(from, root(p.input())) && from.residual == null && from.pool == 0) {
                from.pool = p.kernel();
                from.maxPool = p.kind() == Layer.PoolKind.MAX;
                fuse(from, p, from.maxPool ? "+maxpool" : "+avgpool");
                return;
            }
        }
        Node node = node(layer);
        for (String input : layer.inputs()) {
            node.inputs.add(producer.get(root(input)).name);
        }
        node.index = nodes.size();
        nodes.add(node);
        producer.put(layer.name(), node);
    }

    /** An unfused sum may still take the ReLU after it. */
    private boolean sumFusable(Node node, String value) {
        return node.layer instanceof Layer.Add && open(node, value);
    }

    private void fuse(Node node, Layer layer, String kind) {
        node.kind.append(kind);
        node.name = layer.name();
        producer.put(layer.name(), node);
    }

    private Node node(Layer layer) {
        if (layer instanceof Layer.Conv2d l) {
            Node node = new Node(layer, "conv" + l.kernel() + "x" + l.kernel());
            node.weight = tensor(l.name(), ParameterNames.WEIGHT).clone();
            node.bias = l.bias() ? tensor(l.name(), ParameterNames.BIAS).clone() : new float[l.outChannels()];
            return node;
        }
        if (layer instanceof Layer.DecomposedConv2d l) {
            Node node = new Node(layer, "decomposed" + l.kernel() + "x" + l.kernel() + "/d" + l.bases());
            node.weight = tensor(l.name(), ParameterNames.COEFFICIENTS).clone();
            node.basis = tensor(l.name(), ParameterNames.BASIS).clone();
            node.bias = l.bias() ? tensor(l.name(), ParameterNames.BIAS).clone() : new float[l.outChannels()];
            return node;
        }
        if (layer instanceof Layer.Linear l) {
            Node node = new Node(layer, "linear");
            node.weight = tensor(l.name(), ParameterNames.WEIGHT).clone();
            node.bias = l.bias() ? tensor(l.name(), ParameterNames.BIAS).clone() : new float[l.outFeatures()];
            return node;
        }
        if (layer instanceof Layer.Pool p) {
            return new Node(layer, p.kind() == Layer.PoolKind.MAX ? "maxpool" : "avgpool");
        }
        if (layer instanceof Layer.GlobalAvgPool) {
            return new Node(layer, "globalavgpool");
        }
        if (layer instanceof Layer.BatchNorm) {
            return new Node(layer, "batchnorm");
        }
        if (layer instanceof Layer.Relu) {
            return new Node(layer, "relu");
        }
        if (layer instanceof Layer.Add) {
            return new Node(layer, "add");
        }
        throw new IllegalStateException("layer " + layer.name() + ": no step for " + layer.getClass().getSimpleName());
    }

    private float[] tensor(String layer, String parameter) {
        Tensor t = model.parameters().get(ParameterNames.of(layer, parameter));
        return t.data();
    }

    /** Batch norm's scale and shift per channel, in double precision. */
    private double[][] affine(Layer.BatchNorm bn) {
        float[] gamma = tensor(bn.name(), ParameterNames.GAMMA);
        float[] beta = tensor(bn.name(), ParameterNames.BETA);
        float[] mean = tensor(bn.name(), ParameterNames.RUNNING_MEAN);
        float[] var = tensor(bn.name(), ParameterNames.RUNNING_VAR);
        double[][] ab = new double[2][bn.channels()];
        for (int c = 0; c < bn.channels(); c++) {
            ab[0][c] = gamma[c] / Math.sqrt(var[c] + bn.epsilon());
            ab[1][c] = beta[c] - mean[c] * ab[0][c];
        }
        return ab;
    }

    /** Scales each output channel's weights (or coefficients) and bias by batch norm's affine map. */
    private void fold(Node node, Layer.BatchNorm bn) {
        double[][] ab = affine(bn);
        int rows = node.bias.length;
        int perRow = node.weight.length / rows;
        for (int n = 0; n < rows; n++) {
            for (int i = n * perRow; i < (n + 1) * perRow; i++) {
                node.weight[i] = (float) (node.weight[i] * ab[0][n]);
            }
            node.bias[n] = (float) (node.bias[n] * ab[0][n] + ab[1][n]);
        }
    }

    /** Gives every node's output a slot, reusing a slot once every reader of its value has run. */
    private Program allocate(int threads) {
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).index = i;
        }
        Map<String, Integer> lastRead = new HashMap<>();
        for (Node node : nodes) {
            for (String input : node.inputs) {
                lastRead.put(input, node.index);
            }
        }
        Node outputNode = producer.get(root(model.network().output()));
        lastRead.put(outputNode.name, Integer.MAX_VALUE);
        List<Integer> slotSizes = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        Map<Integer, List<Integer>> releasedAfter = new HashMap<>();
        int[] slotOf = new int[nodes.size()];
        Map<String, Integer> indexOf = new HashMap<>();
        for (Node node : nodes) {
            int size = (int) shapes.get(node.name).size();
            List<Integer> released = releasedAfter.computeIfAbsent(node.index, k -> new ArrayList<>());
            int inPlace = inPlaceSlot(node, lastRead, indexOf, slotOf);
            if (inPlace >= 0) {
                // the fused add writes over its residual, read for the last time here: that slot carries on
                released.remove(Integer.valueOf(inPlace));
                slotOf[node.index] = inPlace;
                slotSizes.set(inPlace, Math.max(slotSizes.get(inPlace), size));
            } else {
                slotOf[node.index] = node.layer instanceof Layer.Input ? Value.INPUT_SLOT
                        : takeSlot(free, slotSizes, size);
            }
            indexOf.put(node.name, node.index);
            // slots whose last reader is this node become free for the nodes after it
            free.addAll(released);
            int last = lastRead.getOrDefault(node.name, node.index);
            if (slotOf[node.index] != Value.INPUT_SLOT && last != Integer.MAX_VALUE) {
                releasedAfter.computeIfAbsent(last, k -> new ArrayList<>()).add(slotOf[node.index]);
            }
        }
        Map<String, Value> values = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>();
        for (Node node : nodes) {
            int size = (int) shapes.get(node.name).size();
            int slot = slotOf[node.index];
            Value value = new Value(slot, size, slot == Value.INPUT_SLOT ? size : slotSizes.get(slot));
            if (slot != Value.INPUT_SLOT) {
                steps.add(step(node, values, value));
            }
            values.put(node.name, value);
        }
        int[] sizes = slotSizes.stream().mapToInt(Integer::intValue).toArray();
        Value input = values.get(nodes.get(0).name);
        return new Program(model.network().name(), steps, sizes, input, values.get(outputNode.name),
                shapes.get(nodes.get(0).name), threads);
    }

    /**
     * The slot a convolution with a fused add may write its output into: its residual's, when this step is the
     * residual's last reader and does not also convolve it (its epilogue reads each residual value just before
     * writing the output there; a convolution reads its input around each output, so not that one).
     *
     * @return the slot, or -1
     */
    private static int inPlaceSlot(Node node, Map<String, Integer> lastRead, Map<String, Integer> indexOf,
            int[] slotOf) {
        if (!node.convolution() || node.residual == null || node.inputs.get(0).equals(node.residual)
                || lastRead.getOrDefault(node.residual, -1) != node.index) {
            return -1;
        }
        int slot = slotOf[indexOf.get(node.residual)];
        return slot == Value.INPUT_SLOT ? -1 : slot;
    }

    private static int takeSlot(List<Integer> free, List<Integer> sizes, int size) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            int slot = free.get(i);
            if (best < 0 || fitsBetter(sizes, slot, free.get(best), size)) {
                best = i;
            }
        }
        if (best < 0) {
            sizes.add(size);
            return sizes.size() - 1;
        }
        int slot = free.remove(best);
        sizes.set(slot, Math.max(sizes.get(slot), size));
        return slot;
    }

    /** The smallest free slot that holds the value, else the largest (it grows least). */
    private static boolean fitsBetter(List<Integer> sizes, int candidate, int current, int size) {
        int c = sizes.get(candidate);
        int b = sizes.get(current);
        boolean cFits = c >= size;
        boolean bFits = b >= size;
        if (cFits != bFits) {
            return cFits;
        }
        return cFits ? c < b : c > b;
    }

    private Step step(Node node, Map<String, Value> values, Value out) {
        Layer layer = node.layer;
        Value in = values.get(node.inputs.get(0));
        ActivationShape inShape = shapes.get(root(layer.inputs().get(0)));
        // the layer's own output: a fused pooling's smaller shape is the step's output value, not its geometry
        ActivationShape outShape = shapes.get(layer.name());
        Value residual = node.residual == null ? null : values.get(node.residual);
        String kind = node.kind.toString();
        Epilogue epilogue = new Epilogue(node.bias, residual, node.relu, node.pool, node.maxPool);
        if (layer instanceof Layer.Conv2d l) {
            return new ConvStep(node.name, kind, in, out, ConvGeometry.of(inShape, outShape, l.kernel(), l.stride(),
                    l.padding()), node.weight, l.groups(), l.outChannels(), epilogue, kernels);
        }
        if (layer instanceof Layer.DecomposedConv2d l) {
            return new DecomposedStep(node.name, kind, in, out, ConvGeometry.of(inShape, outShape, l.kernel(),
                    l.stride(), l.padding()), node.basis, l.bases(), l.outChannels(), node.weight, epilogue, kernels);
        }
        if (layer instanceof Layer.Linear l) {
            return new LinearStep(node.name, kind, in, out, node.weight, l.outFeatures(), l.inFeatures(), epilogue,
                    kernels);
        }
        if (layer instanceof Layer.Pool l) {
            return new SimpleSteps.Pool(node.name, in, out, l.kind() == Layer.PoolKind.MAX,
                    ConvGeometry.of(inShape, outShape, l.kernel(), l.stride(), l.padding()));
        }
        if (layer instanceof Layer.GlobalAvgPool) {
            return new SimpleSteps.GlobalAverage(node.name, in, out, inShape.channels());
        }
        if (layer instanceof Layer.BatchNorm bn) {
            double[][] ab = affine(bn);
            float[] scale = new float[bn.channels()];
            float[] shift = new float[bn.channels()];
            for (int c = 0; c < scale.length; c++) {
                scale[c] = (float) ab[0][c];
                shift[c] = (float) ab[1][c];
            }
            return new SimpleSteps.Affine(node.name, in, out, scale, shift, inShape.height() * inShape.width());
        }
        if (layer instanceof Layer.Relu) {
            return new SimpleSteps.Relu(node.name, in, out);
        }
        List<Value> inputs = new ArrayList<>();
        for (String input : node.inputs) {
            inputs.add(values.get(input));
        }
        return new SimpleSteps.Sum(node.name, inputs, out, node.relu);
    }
}
