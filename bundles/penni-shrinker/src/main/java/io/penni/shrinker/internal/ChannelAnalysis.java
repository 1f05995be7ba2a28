package io.penni.shrinker.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.model.NetworkShapes;
import io.penni.shrinker.LayerShrink;
import io.penni.shrinker.Selection;
import io.penni.shrinker.ShrinkPlan;

/**
 * Works out which channels and bases of a model can go, on any graph of the IR.
 *
 * <p><b>Channel groups.</b> Layers that keep their input's channels (batch norm, ReLU, pooling, dropout, global
 * average pooling) and the inputs and output of an add must keep the same channels, so their outputs form one
 * group (union-find over the graph) with one keep-set. A group whose only producer is a flatten is
 * <i>derived</i>: its feature f is channel {@code f / spread} of the group the flatten reads (spread = H·W), so
 * it keeps what that group keeps. A group is <i>pinned</i> (keeps everything) when it holds the network's input
 * or output, a linear layer's output, a grouped convolution's output, or a flatten beside another producer.
 *
 * <p><b>Constants.</b> Each channel of each layer's output is tracked as a known constant or varying, computed
 * once from the weights ({@link ConstantChannels}).
 *
 * <p><b>Fixed point.</b> A consumer <i>needs</i> channel c of what it reads unless c is the constant 0 or all its
 * weights on c (over its kept outputs and kept bases) are zero; a grouped convolution needs everything. A free
 * group keeps the channels some consumer of some member needs (so at an add, a channel kept on any branch is kept
 * on all); a derived group's needs become its source's. A basis stays while some kept coefficient on a kept,
 * not-constant-zero input uses it. Removing things only ever removes needs, so repeating until nothing changes
 * terminates, and every removal is exact: what goes is zero or unread wherever it arrives. A group or a basis
 * set that would become empty keeps its lowest index instead, which is always exact and keeps every layer
 * valid.
 */
public final class ChannelAnalysis {

    private enum Kind {
        FREE, PINNED, DERIVED
    }

    /** How a layer's output relates to the channel groups. */
    private enum Structure {
        /** Keeps its input's channels: joins its input's group. */
        PASSES,
        /** An add: joins all its inputs' groups. */
        JOINS,
        /** A flatten: its group may derive from the group it reads. */
        FLATTENS,
        /** Makes channels every one of which stays: the input, a linear layer, a grouped convolution. */
        PINS,
        /** Makes channels that may go: a convolution. */
        MAKES
    }

    private static final Layer.Visitor<Structure> STRUCTURE = new Layer.Visitor<>() {
        @Override
        public Structure visitInput(Layer.Input layer) {
            return Structure.PINS;
        }

        @Override
        public Structure visitConv2d(Layer.Conv2d layer) {
            return layer.groups() > 1 ? Structure.PINS : Structure.MAKES;
        }

        @Override
        public Structure visitDecomposedConv2d(Layer.DecomposedConv2d layer) {
            return Structure.MAKES;
        }

        @Override
        public Structure visitBatchNorm(Layer.BatchNorm layer) {
            return Structure.PASSES;
        }

        @Override
        public Structure visitRelu(Layer.Relu layer) {
            return Structure.PASSES;
        }

        @Override
        public Structure visitClippedRelu(Layer.ClippedRelu layer) {
            return Structure.PASSES;
        }

        @Override
        public Structure visitPool(Layer.Pool layer) {
            return Structure.PASSES;
        }

        @Override
        public Structure visitGlobalAvgPool(Layer.GlobalAvgPool layer) {
            return Structure.PASSES;
        }

        @Override
        public Structure visitAdd(Layer.Add layer) {
            return Structure.JOINS;
        }

        @Override
        public Structure visitFlatten(Layer.Flatten layer) {
            return Structure.FLATTENS;
        }

        @Override
        public Structure visitLinear(Layer.Linear layer) {
            return Structure.PINS;
        }

        @Override
        public Structure visitDropout(Layer.Dropout layer) {
            return Structure.PASSES;
        }
    };

    private final Model model;
    private final List<Layer> layers;
    private final Map<String, Integer> position = new HashMap<>();
    private final ActivationShape[] shapes;
    private final int[] group;
    private final Kind[] kind;
    private final boolean[] needsAll;
    private final int[] source;
    private final int[] spread;
    private final int[] channels;
    private final boolean[][] keep;
    private final boolean[][] bases;
    private final ConstantChannels constants;

    private ChannelAnalysis(Model model) {
        this.model = model;
        this.layers = model.network().layers();
        int n = layers.size();
        Map<String, ActivationShape> byName = NetworkShapes.infer(model.network());
        shapes = new ActivationShape[n];
        for (int i = 0; i < n; i++) {
            position.put(layers.get(i).name(), i);
            shapes[i] = byName.get(layers.get(i).name());
        }
        group = groups();
        int groups = Arrays.stream(group).max().orElse(-1) + 1;
        kind = new Kind[groups];
        needsAll = new boolean[groups];
        source = new int[groups];
        spread = new int[groups];
        channels = new int[groups];
        keep = new boolean[groups][];
        classify();
        bases = new boolean[n][];
        for (int i = 0; i < n; i++) {
            if (layers.get(i) instanceof Layer.DecomposedConv2d conv) {
                bases[i] = new boolean[conv.bases()];
                Arrays.fill(bases[i], true);
            }
        }
        constants = new ConstantChannels(model, position, shapes);
    }

    /**
     * Plans the shrinking of a model.
     *
     * @param model a valid model
     * @return what stays of each layer with parameters
     */
    public static ShrinkPlan plan(Model model) {
        ChannelAnalysis analysis = new ChannelAnalysis(model);
        analysis.fixedPoint();
        return analysis.plan();
    }

    // ---- structure -------------------------------------------------------------------------------------------

    private static Structure structure(Layer layer) {
        return layer.accept(STRUCTURE);
    }

    /** Whether a layer's output is in its inputs' group: it keeps their channels, or adds them up. */
    private static boolean sharesGroup(Layer layer) {
        Structure structure = structure(layer);
        return structure == Structure.PASSES || structure == Structure.JOINS;
    }

    private int input(int layer) {
        return position.get(layers.get(layer).inputs().get(0));
    }

    /** Union-find over layers: a channel-keeping layer joins its input's group, an add joins all its inputs'. */
    private int[] groups() {
        int n = layers.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            Layer layer = layers.get(i);
            if (sharesGroup(layer)) {
                for (String in : layer.inputs()) {
                    parent[root(parent, i)] = root(parent, position.get(in));
                }
            }
        }
        int[] ids = new int[n];
        Arrays.fill(ids, -1);
        int[] result = new int[n];
        int next = 0;
        for (int i = 0; i < n; i++) {
            int r = root(parent, i);
            if (ids[r] < 0) {
                ids[r] = next++;
            }
            result[i] = ids[r];
        }
        return result;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private void classify() {
        int groups = kind.length;
        int[] producers = new int[groups];
        int[] flattens = new int[groups];
        int output = position.get(model.network().output());
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            int g = group[i];
            channels[g] = shapes[i].channels();
            if (i == output) {
                needsAll[g] = true;
            }
            if (sharesGroup(layer)) {
                continue;
            }
            producers[g]++;
            Structure structure = structure(layer);
            if (structure == Structure.PINS) {
                needsAll[g] = true;
            } else if (structure == Structure.FLATTENS) {
                flattens[g]++;
            }
        }
        for (int g = 0; g < groups; g++) {
            source[g] = g;
            spread[g] = 1;
            if (flattens[g] == 1 && producers[g] == 1) {
                kind[g] = Kind.DERIVED;
            } else {
                // a flatten beside another producer cannot follow one source: keep the whole group
                needsAll[g] |= flattens[g] > 0;
                kind[g] = needsAll[g] ? Kind.PINNED : Kind.FREE;
                keep[g] = new boolean[channels[g]];
                Arrays.fill(keep[g], true);
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            if (structure(layers.get(i)) == Structure.FLATTENS && kind[group[i]] == Kind.DERIVED) {
                int in = input(i);
                int g = group[i];
                source[g] = source[group[in]];
                spread[g] = spread[group[in]] * shapes[in].height() * shapes[in].width();
            }
        }
    }

    // ---- the fixed point --------------------------------------------------------------------------------------

    /** Whether channel c of layer t's output stays. */
    private boolean kept(int t, int c) {
        int g = group[t];
        return kind[g] == Kind.DERIVED ? keep[source[g]][c / spread[g]] : keep[g][c];
    }

    private void fixedPoint() {
        boolean changed = true;
        while (changed) {
            changed = false;
            boolean[][] need = needs();
            for (int g = 0; g < kind.length; g++) {
                if (kind[g] == Kind.FREE) {
                    changed |= narrow(keep[g], need[g]);
                }
            }
            for (int i = 0; i < layers.size(); i++) {
                if (layers.get(i) instanceof Layer.DecomposedConv2d conv) {
                    changed |= narrow(bases[i], usedBases(i, conv));
                }
            }
        }
    }

    /** keep ← keep ∧ wanted, but never empty: the lowest kept index stays then. Returns whether keep changed. */
    private static boolean narrow(boolean[] keep, boolean[] wanted) {
        int lowest = -1;
        boolean any = false;
        boolean changed = false;
        for (int k = 0; k < keep.length; k++) {
            if (keep[k] && lowest < 0) {
                lowest = k;
            }
            any |= keep[k] && wanted[k];
        }
        for (int k = 0; k < keep.length; k++) {
            boolean next = keep[k] && (wanted[k] || !any && k == lowest);
            changed |= next != keep[k];
            keep[k] = next;
        }
        return changed;
    }

    /** Which channels of each group some consumer needs, with the current keep-sets. */
    private boolean[][] needs() {
        boolean[][] need = new boolean[kind.length][];
        for (int g = 0; g < kind.length; g++) {
            need[g] = new boolean[channels[g]];
        }
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).accept(new ChannelNeeds(i, need));
        }
        for (int g = 0; g < kind.length; g++) {
            if (needsAll[g]) {
                Arrays.fill(need[g], true);
            }
        }
        for (int g = 0; g < kind.length; g++) {
            if (kind[g] == Kind.DERIVED) {
                for (int f = 0; f < channels[g]; f++) {
                    need[source[g]][f / spread[g]] |= need[g][f];
                }
            }
        }
        return need;
    }

    /** What one layer needs of the channels it reads, by its type. */
    private final class ChannelNeeds implements Layer.Visitor<Void> {

        private final int i;
        private final boolean[][] need;

        ChannelNeeds(int i, boolean[][] need) {
            this.i = i;
            this.need = need;
        }

        /** The needs of the group of the layer's (first) input. */
        private boolean[] needed() {
            return need[group[input(i)]];
        }

        @Override
        public Void visitFlatten(Layer.Flatten layer) {
            if (kind[group[i]] != Kind.DERIVED) {
                Arrays.fill(needed(), true);
            }
            return null;
        }

        @Override
        public Void visitConv2d(Layer.Conv2d conv) {
            convolutionNeeds(i, input(i), conv, needed());
            return null;
        }

        @Override
        public Void visitDecomposedConv2d(Layer.DecomposedConv2d conv) {
            decomposedNeeds(i, input(i), conv, needed());
            return null;
        }

        @Override
        public Void visitLinear(Layer.Linear layer) {
            int in = input(i);
            boolean[] needed = needed();
            int plane = shapes[in].height() * shapes[in].width();
            for (int f = 0; f < constants.columns(i); f++) {
                if (constants.columnNonZero(i, f) && !constants.constantZero(in, f / plane)) {
                    needed[f / plane] = true;
                }
            }
            return null;
        }

        /** The input reads nothing. */
        @Override
        public Void visitInput(Layer.Input layer) {
            return null;
        }

        /** A channel-keeping layer's output is in its input's group: the group's consumers decide. */
        @Override
        public Void visitBatchNorm(Layer.BatchNorm layer) {
            return null;
        }

        @Override
        public Void visitRelu(Layer.Relu layer) {
            return null;
        }

        @Override
        public Void visitClippedRelu(Layer.ClippedRelu layer) {
            return null;
        }

        @Override
        public Void visitPool(Layer.Pool layer) {
            return null;
        }

        @Override
        public Void visitGlobalAvgPool(Layer.GlobalAvgPool layer) {
            return null;
        }

        @Override
        public Void visitDropout(Layer.Dropout layer) {
            return null;
        }

        /** An add's output is in its inputs' group. */
        @Override
        public Void visitAdd(Layer.Add layer) {
            return null;
        }
    }

    private void convolutionNeeds(int i, int in, Layer.Conv2d conv, boolean[] needed) {
        if (conv.groups() > 1) {
            Arrays.fill(needed, true);
            return;
        }
        int inputs = conv.inChannels();
        for (int c = 0; c < inputs; c++) {
            if (needed[c] || constants.constantZero(in, c)) {
                continue;
            }
            for (int n = 0; n < conv.outChannels(); n++) {
                if (constants.kernelNonZero(i, n * inputs + c) && kept(i, n)) {
                    needed[c] = true;
                    break;
                }
            }
        }
    }

    private void decomposedNeeds(int i, int in, Layer.DecomposedConv2d conv, boolean[] needed) {
        float[] coefficients = constants.parameter(i, ParameterNames.COEFFICIENTS);
        int d = conv.bases();
        for (int c = 0; c < conv.inChannels(); c++) {
            if (needed[c] || constants.constantZero(in, c)) {
                continue;
            }
            search:
            for (int n = 0; n < conv.outChannels(); n++) {
                if (!kept(i, n)) {
                    continue;
                }
                for (int j = 0; j < d; j++) {
                    if (bases[i][j] && coefficients[(n * conv.inChannels() + c) * d + j] != 0f) {
                        needed[c] = true;
                        break search;
                    }
                }
            }
        }
    }

    /** The bases some kept coefficient on a kept, not-constant-zero input channel of a kept output uses. */
    private boolean[] usedBases(int i, Layer.DecomposedConv2d conv) {
        float[] coefficients = constants.parameter(i, ParameterNames.COEFFICIENTS);
        boolean[] useful = constants.usefulBases(i, conv);
        int in = input(i);
        int d = conv.bases();
        boolean[] used = new boolean[d];
        for (int n = 0; n < conv.outChannels(); n++) {
            if (!kept(i, n)) {
                continue;
            }
            for (int c = 0; c < conv.inChannels(); c++) {
                if (!kept(in, c) || constants.constantZero(in, c)) {
                    continue;
                }
                for (int j = 0; j < d; j++) {
                    used[j] |= useful[j] && coefficients[(n * conv.inChannels() + c) * d + j] != 0f;
                }
            }
        }
        return used;
    }

    // ---- the plan ---------------------------------------------------------------------------------------------

    private Selection selection(int t, int size) {
        List<Integer> kept = new ArrayList<>();
        for (int c = 0; c < size; c++) {
            if (kept(t, c)) {
                kept.add(c);
            }
        }
        return new Selection(size, kept);
    }

    private ShrinkPlan plan() {
        List<LayerShrink> entries = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).accept(new Entry(i)).ifPresent(entries::add);
        }
        return new ShrinkPlan(model.network().name(), entries);
    }

    /** What stays of one layer with parameters; empty for a layer without. */
    private final class Entry implements Layer.Visitor<Optional<LayerShrink>> {

        private final int i;

        Entry(int i) {
            this.i = i;
        }

        @Override
        public Optional<LayerShrink> visitConv2d(Layer.Conv2d conv) {
            return Optional.of(new LayerShrink(conv.name(), selection(i, conv.outChannels()),
                    selection(input(i), conv.inChannels()), Selection.empty()));
        }

        @Override
        public Optional<LayerShrink> visitDecomposedConv2d(Layer.DecomposedConv2d conv) {
            List<Integer> kept = new ArrayList<>();
            for (int j = 0; j < conv.bases(); j++) {
                if (bases[i][j]) {
                    kept.add(j);
                }
            }
            return Optional.of(new LayerShrink(conv.name(), selection(i, conv.outChannels()),
                    selection(input(i), conv.inChannels()), new Selection(conv.bases(), kept)));
        }

        @Override
        public Optional<LayerShrink> visitBatchNorm(Layer.BatchNorm bn) {
            Selection channels = selection(i, bn.channels());
            return Optional.of(new LayerShrink(bn.name(), channels, channels, Selection.empty()));
        }

        @Override
        public Optional<LayerShrink> visitLinear(Layer.Linear linear) {
            int in = input(i);
            int plane = shapes[in].height() * shapes[in].width();
            List<Integer> features = new ArrayList<>();
            for (int f = 0; f < linear.inFeatures(); f++) {
                if (kept(in, f / plane)) {
                    features.add(f);
                }
            }
            return Optional.of(new LayerShrink(linear.name(), Selection.all(linear.outFeatures()),
                    new Selection(linear.inFeatures(), features), Selection.empty()));
        }

        @Override
        public Optional<LayerShrink> visitInput(Layer.Input layer) {
            return Optional.empty();
        }

        @Override
        public Optional<LayerShrink> visitRelu(Layer.Relu layer) {
            return Optional.empty();
        }

        @Override
        public Optional<LayerShrink> visitClippedRelu(Layer.ClippedRelu layer) {
            return Optional.empty();
        }

        @Override
        public Optional<LayerShrink> visitPool(Layer.Pool layer) {
            return Optional.empty();
        }

        @Override
        public Optional<LayerShrink> visitGlobalAvgPool(Layer.GlobalAvgPool layer) {
            return Optional.empty();
        }

        @Override
        public Optional<LayerShrink> visitAdd(Layer.Add layer) {
            return Optional.empty();
        }

        @Override
        public Optional<LayerShrink> visitFlatten(Layer.Flatten layer) {
            return Optional.empty();
        }

        @Override
        public Optional<LayerShrink> visitDropout(Layer.Dropout layer) {
            return Optional.empty();
        }
    }
}
