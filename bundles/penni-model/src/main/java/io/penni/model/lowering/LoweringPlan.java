package io.penni.model.lowering;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Network;
import io.penni.model.NetworkShapes;

/**
 * How a network lowers to the steps a backend runs, independent of the backend:
 * <ul>
 * <li>flatten and dropout are views: they name the values of the layer they read, and get no step;</li>
 * <li>batch norm fuses into the convolution, decomposed convolution or linear layer before it when nothing else
 * reads that layer's output;</li>
 * <li>a ReLU fuses into the weighted step or unfused add before it;</li>
 * <li>a two-input add fuses into whichever of its inputs is computed later, when that is a weighted step; the
 * other input becomes the step's residual;</li>
 * <li>a non-overlapping pooling (window = stride, no padding) fuses into the convolution before it; nothing fuses
 * after a pooling;</li>
 * <li>every step's output takes a buffer slot, reused once the value's last reader has run; a convolution that
 * reads its residual for the last time writes its output over that residual (its epilogue reads each residual
 * value just before writing the output there).</li>
 * </ul>
 * A backend picks the {@link Fusion}s its kernels implement; a fusion that is not picked leaves the layer a step
 * of its own. The network's output value is never fused away.
 */
public final class LoweringPlan {

    /** The slot of the network's input: the caller's array, never a buffer of the backend's. */
    public static final int INPUT_SLOT = -1;

    /** The kinds of fusion a backend may take. */
    public enum Fusion {
        /** Batch norm folded into the weighted step before it. */
        BATCH_NORM,
        /** A ReLU applied by the step before it. */
        RELU,
        /** A two-input add done by the later-computed input's step, the other input as its residual. */
        ADD,
        /** A non-overlapping pooling applied by the convolution before it as it stores its rows. */
        POOL
    }

    /**
     * A layer fused into a step.
     *
     * @param fusion the kind of fusion
     * @param layer the fused layer
     */
    public record Fused(Fusion fusion, Layer layer) {
    }

    /**
     * One step: a layer and the layers fused into it, what it reads and where its output lives.
     *
     * @param index the step's position in the plan (the input is step 0)
     * @param layer the layer the step computes
     * @param fused the layers fused into it, in network order
     * @param output the name of the step's output value: the last fused layer's name, else the layer's
     * @param inputs the values the layer reads (views resolved to the values they name), in order
     * @param residual the value a fused add adds to the output, if any
     * @param inputShape the shape of the layer's first input, views resolved (the input's own shape for the input)
     * @param layerShape the shape the layer itself produces (a fused pooling's input)
     * @param outputShape the shape of the step's output value
     * @param slot the output's buffer slot, {@link #INPUT_SLOT} for the network's input
     * @param lastReader the index of the last step reading the output (the residual included), the number of
     *        steps for the network's output (read after the last step), the step's own index when nothing reads it
     */
    public record Step(int index, Layer layer, List<Fused> fused, String output, List<String> inputs,
            Optional<String> residual, ActivationShape inputShape, ActivationShape layerShape,
            ActivationShape outputShape, int slot, int lastReader) {

        /** Copies the lists. */
        public Step {
            fused = List.copyOf(fused);
            inputs = List.copyOf(inputs);
        }

        /** @return whether the step applies a ReLU to its output */
        public boolean relu() {
            return has(Fusion.RELU);
        }

        /** @return the batch norms folded into the step, in order */
        public List<Layer.BatchNorm> batchNorms() {
            return fused.stream().filter(f -> f.fusion() == Fusion.BATCH_NORM).map(f -> (Layer.BatchNorm) f.layer())
                    .toList();
        }

        /** @return the pooling the step applies as it stores its output, if any */
        public Optional<Layer.Pool> pool() {
            return fused.stream().filter(f -> f.fusion() == Fusion.POOL).map(f -> (Layer.Pool) f.layer())
                    .findFirst();
        }

        /** @return whether the step computes the network's input (nothing to run) */
        public boolean input() {
            return slot == INPUT_SLOT;
        }

        private boolean has(Fusion fusion) {
            return fused.stream().anyMatch(f -> f.fusion() == fusion);
        }
    }

    private final List<Step> steps;
    private final int[] slotSizes;
    private final Step output;

    private LoweringPlan(List<Step> steps, int[] slotSizes, Step output) {
        this.steps = List.copyOf(steps);
        this.slotSizes = slotSizes;
        this.output = output;
    }

    /**
     * Plans a network's lowering.
     *
     * @param network the network
     * @param fusions the fusions the backend implements
     * @return the plan
     * @throws io.penni.model.ModelException when the network is invalid
     */
    public static LoweringPlan of(Network network, Set<Fusion> fusions) {
        return new Planner(network, fusions.isEmpty() ? EnumSet.noneOf(Fusion.class) : EnumSet.copyOf(fusions))
                .plan();
    }

    /**
     * Plans a network's lowering with every fusion.
     *
     * @param network the network
     * @return the plan
     * @throws io.penni.model.ModelException when the network is invalid
     */
    public static LoweringPlan of(Network network) {
        return of(network, EnumSet.allOf(Fusion.class));
    }

    /** @return the steps in the order they run, the network's input first */
    public List<Step> steps() {
        return steps;
    }

    /** @return the step computing the network's input */
    public Step input() {
        return steps.get(0);
    }

    /** @return the step whose output is the network's output */
    public Step output() {
        return output;
    }

    /** @return floats per image each buffer slot must hold (the largest value it ever holds) */
    public int[] slotSizes() {
        return slotSizes.clone();
    }

    /** Groups a network's layers into steps, then gives the steps' outputs slots. */
    private static final class Planner {

        private final Network network;
        private final Set<Fusion> fusions;
        private final Map<String, ActivationShape> shapes;
        /** Readers of each value, views resolved; the network's output counts one more. */
        private final Map<String, Integer> readers = new HashMap<>();
        /** Flatten and dropout layers, by name, to the value they name. */
        private final Map<String, String> views = new HashMap<>();
        private final Map<String, Node> producer = new HashMap<>();
        private final List<Node> nodes = new ArrayList<>();

        /** A step in the making. */
        private static final class Node {
            final Layer layer;
            final int index;
            final List<Fused> fused = new ArrayList<>();
            final List<String> inputs = new ArrayList<>();
            String output;
            String residual;

            Node(Layer layer, int index) {
                this.layer = layer;
                this.index = index;
                this.output = layer.name();
            }

            boolean has(Fusion fusion) {
                return fused.stream().anyMatch(f -> f.fusion() == fusion);
            }

            boolean weighted() {
                return LayerRoles.weighted(layer);
            }
        }

        Planner(Network network, Set<Fusion> fusions) {
            this.network = network;
            this.fusions = fusions;
            this.shapes = NetworkShapes.infer(network);
        }

        LoweringPlan plan() {
            for (Layer layer : network.layers()) {
                if (LayerRoles.view(layer)) {
                    views.put(layer.name(), root(layer.inputs().get(0)));
                    continue;
                }
                for (String input : layer.inputs()) {
                    readers.merge(root(input), 1, Integer::sum);
                }
            }
            readers.merge(root(network.output()), 1, Integer::sum);
            for (Layer layer : network.layers()) {
                if (!LayerRoles.view(layer) && !fuse(layer)) {
                    step(layer);
                }
            }
            return allocate();
        }

        private String root(String name) {
            return views.getOrDefault(name, name);
        }

        /** Whether a layer reading {@code value} may join the node making it: nothing else reads the value. */
        private boolean open(Node node, String value) {
            return node.output.equals(value) && readers.getOrDefault(value, 0) == 1
                    && !value.equals(root(network.output()));
        }

        /** Fuses a layer into the step before it where a fusion allows. */
        private boolean fuse(Layer layer) {
            return layer.accept(fusing);
        }

        /** Whether each type of layer fused into the step before it (and if so, fuses it). */
        private final Layer.Visitor<Boolean> fusing = new Layer.Visitor<>() {
            @Override
            public Boolean visitBatchNorm(Layer.BatchNorm bn) {
                String value = root(bn.input());
                Node from = producer.get(value);
                return fusions.contains(Fusion.BATCH_NORM) && from.weighted() && open(from, value)
                        && !from.has(Fusion.RELU) && from.residual == null && !from.has(Fusion.POOL)
                        && join(from, Fusion.BATCH_NORM, bn);
            }

            @Override
            public Boolean visitRelu(Layer.Relu relu) {
                String value = root(relu.input());
                Node from = producer.get(value);
                return fusions.contains(Fusion.RELU) && (from.weighted() || LayerRoles.sum(from.layer))
                        && open(from, value) && !from.has(Fusion.RELU) && !from.has(Fusion.POOL)
                        && join(from, Fusion.RELU, relu);
            }

            /** A bounded ReLU is a step of its own: the kernels' epilogues apply only max(0, x). */
            @Override
            public Boolean visitClippedRelu(Layer.ClippedRelu relu) {
                return false;
            }

            @Override
            public Boolean visitAdd(Layer.Add sum) {
                if (sum.inputs().size() != 2 || !fusions.contains(Fusion.ADD)) {
                    return false;
                }
                String first = root(sum.inputs().get(0));
                String second = root(sum.inputs().get(1));
                Node a = producer.get(first);
                Node b = producer.get(second);
                Node later = a.index >= b.index ? a : b;
                String laterValue = later == a ? first : second;
                String other = later == a ? second : first;
                if (a != b && later.weighted() && open(later, laterValue) && !later.has(Fusion.RELU)
                        && later.residual == null && !later.has(Fusion.POOL)) {
                    later.residual = producer.get(other).output;
                    return join(later, Fusion.ADD, sum);
                }
                return false;
            }

            /**
             * A non-overlapping window pools a convolution's rows as they are stored: its full-size output is
             * never held.
             */
            @Override
            public Boolean visitPool(Layer.Pool p) {
                if (!p.padding().isNone() || p.kernel() != p.stride() || !fusions.contains(Fusion.POOL)) {
                    return false;
                }
                String value = root(p.input());
                Node from = producer.get(value);
                return LayerRoles.convolution(from.layer) && open(from, value) && from.residual == null
                        && !from.has(Fusion.POOL) && join(from, Fusion.POOL, p);
            }

            @Override
            public Boolean visitInput(Layer.Input layer) {
                return false;
            }

            @Override
            public Boolean visitConv2d(Layer.Conv2d layer) {
                return false;
            }

            @Override
            public Boolean visitDecomposedConv2d(Layer.DecomposedConv2d layer) {
                return false;
            }

            @Override
            public Boolean visitGlobalAvgPool(Layer.GlobalAvgPool layer) {
                return false;
            }

            @Override
            public Boolean visitFlatten(Layer.Flatten layer) {
                return false;
            }

            @Override
            public Boolean visitLinear(Layer.Linear layer) {
                return false;
            }

            @Override
            public Boolean visitDropout(Layer.Dropout layer) {
                return false;
            }
        };

        private boolean join(Node node, Fusion fusion, Layer layer) {
            node.fused.add(new Fused(fusion, layer));
            node.output = layer.name();
            producer.put(layer.name(), node);
            return true;
        }

        private void step(Layer layer) {
            Node node = new Node(layer, nodes.size());
            for (String input : layer.inputs()) {
                node.inputs.add(producer.get(root(input)).output);
            }
            nodes.add(node);
            producer.put(layer.name(), node);
        }

        /** Gives every node's output a slot, reusing a slot once every reader of its value has run. */
        private LoweringPlan allocate() {
            Map<String, Integer> lastRead = new HashMap<>();
            for (Node node : nodes) {
                for (String input : node.inputs) {
                    lastRead.put(input, node.index);
                }
                if (node.residual != null) {
                    lastRead.put(node.residual, node.index);
                }
            }
            Node outputNode = producer.get(root(network.output()));
            lastRead.put(outputNode.output, nodes.size());
            List<Integer> slotSizes = new ArrayList<>();
            List<Integer> free = new ArrayList<>();
            Map<Integer, List<Integer>> releasedAfter = new HashMap<>();
            int[] slotOf = new int[nodes.size()];
            Map<String, Integer> indexOf = new HashMap<>();
            List<Step> steps = new ArrayList<>();
            for (Node node : nodes) {
                int size = (int) shapes.get(node.output).size();
                List<Integer> released = releasedAfter.computeIfAbsent(node.index, k -> new ArrayList<>());
                int inPlace = inPlaceSlot(node, lastRead, indexOf, slotOf);
                if (inPlace >= 0) {
                    // the fused add writes over its residual, read for the last time here: that slot carries on
                    released.remove(Integer.valueOf(inPlace));
                    slotOf[node.index] = inPlace;
                    slotSizes.set(inPlace, Math.max(slotSizes.get(inPlace), size));
                } else {
                    slotOf[node.index] = node.index == 0 ? INPUT_SLOT
                            : takeSlot(free, slotSizes, size);
                }
                indexOf.put(node.output, node.index);
                // slots whose last reader is this node become free for the nodes after it
                free.addAll(released);
                int last = lastRead.getOrDefault(node.output, node.index);
                if (slotOf[node.index] != INPUT_SLOT && last != nodes.size()) {
                    releasedAfter.computeIfAbsent(last, k -> new ArrayList<>()).add(slotOf[node.index]);
                }
                steps.add(new Step(node.index, node.layer, node.fused, node.output, node.inputs,
                        Optional.ofNullable(node.residual), inputShape(node.layer), shapes.get(node.layer.name()),
                        shapes.get(node.output), slotOf[node.index], last));
            }
            return new LoweringPlan(steps, slotSizes.stream().mapToInt(Integer::intValue).toArray(),
                    steps.get(outputNode.index));
        }

        private ActivationShape inputShape(Layer layer) {
            return shapes.get(layer.inputs().isEmpty() ? layer.name() : root(layer.inputs().get(0)));
        }

        /**
         * The slot a convolution with a fused add may write its output into: its residual's, when this step is
         * the residual's last reader and does not also convolve it (its epilogue reads each residual value just
         * before writing the output there; a convolution reads its input around each output, so not that one).
         *
         * @return the slot, or -1
         */
        private static int inPlaceSlot(Node node, Map<String, Integer> lastRead, Map<String, Integer> indexOf,
                int[] slotOf) {
            if (!LayerRoles.convolution(node.layer) || node.residual == null
                    || node.inputs.get(0).equals(node.residual)
                    || lastRead.getOrDefault(node.residual, -1) != node.index) {
                return -1;
            }
            int slot = slotOf[indexOf.get(node.residual)];
            return slot == INPUT_SLOT ? -1 : slot;
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
    }
}
