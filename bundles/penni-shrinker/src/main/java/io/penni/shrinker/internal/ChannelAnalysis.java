package io.penni.shrinker.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.model.NetworkShapes;
import io.penni.shrinker.LayerPlan;
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
 * once from the weights with the same float arithmetic as the reference forward pass: a convolution output
 * channel whose weights are zero on every input channel that is not the constant 0 is its bias (or 0); batch
 * norm, ReLU, max pooling, average pooling (without padding, or of 0), global average pooling, dropout and
 * flatten map constants to constants; an add of constants is their sum; anything else varies.
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
    private final boolean[][] constant;
    private final float[][] value;
    /** Per convolution: whether kernel (n, c) has a non-zero weight, {@code [N·C/groups]}. */
    private final boolean[][] kernelNonZero;
    /** Per linear layer: whether input feature f has a non-zero weight for some output. */
    private final boolean[][] columnNonZero;

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
        constant = new boolean[n][];
        value = new float[n][];
        kernelNonZero = new boolean[n][];
        columnNonZero = new boolean[n][];
        for (int i = 0; i < n; i++) {
            precompute(i);
            constants(i);
        }
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

    private static boolean passesChannels(Layer layer) {
        return layer instanceof Layer.BatchNorm || layer instanceof Layer.Relu || layer instanceof Layer.Pool
                || layer instanceof Layer.Dropout || layer instanceof Layer.GlobalAvgPool;
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
            if (passesChannels(layer) || layer instanceof Layer.Add) {
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
            if (passesChannels(layer) || layer instanceof Layer.Add) {
                continue;
            }
            producers[g]++;
            if (layer instanceof Layer.Input || layer instanceof Layer.Linear
                    || layer instanceof Layer.Conv2d conv && conv.groups() > 1) {
                needsAll[g] = true;
            } else if (layer instanceof Layer.Flatten) {
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
            if (layers.get(i) instanceof Layer.Flatten && kind[group[i]] == Kind.DERIVED) {
                int in = input(i);
                int g = group[i];
                source[g] = source[group[in]];
                spread[g] = spread[group[in]] * shapes[in].height() * shapes[in].width();
            }
        }
    }

    // ---- weights and constants --------------------------------------------------------------------------------

    private float[] parameter(int layer, String name) {
        return model.parameters().get(ParameterNames.of(layers.get(layer).name(), name)).data();
    }

    private void precompute(int i) {
        Layer layer = layers.get(i);
        if (layer instanceof Layer.Conv2d conv) {
            float[] w = parameter(i, ParameterNames.WEIGHT);
            int kk = conv.kernel() * conv.kernel();
            kernelNonZero[i] = new boolean[w.length / kk];
            for (int k = 0; k < kernelNonZero[i].length; k++) {
                kernelNonZero[i][k] = !allZero(w, k * kk, (k + 1) * kk);
            }
        } else if (layer instanceof Layer.DecomposedConv2d conv) {
            bases[i] = new boolean[conv.bases()];
            Arrays.fill(bases[i], true);
        } else if (layer instanceof Layer.Linear linear) {
            float[] w = parameter(i, ParameterNames.WEIGHT);
            columnNonZero[i] = new boolean[linear.inFeatures()];
            for (int o = 0; o < linear.outFeatures(); o++) {
                for (int f = 0; f < linear.inFeatures(); f++) {
                    columnNonZero[i][f] |= w[o * linear.inFeatures() + f] != 0f;
                }
            }
        }
    }

    private boolean constantZero(int tensor, int channel) {
        return constant[tensor][channel] && value[tensor][channel] == 0f;
    }

    /** The constant channels of layer i's output, from its inputs' (computed before it, in network order). */
    private void constants(int i) {
        Layer layer = layers.get(i);
        int size = shapes[i].channels();
        boolean[] is = new boolean[size];
        float[] v = new float[size];
        constant[i] = is;
        value[i] = v;
        if (layer instanceof Layer.Input || layer instanceof Layer.Linear) {
            return;
        }
        if (layer instanceof Layer.Add add) {
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
            return;
        }
        int in = input(i);
        if (layer instanceof Layer.Conv2d conv) {
            convolutionConstants(i, in, conv.outChannels(), conv.inChannels() / conv.groups(),
                    conv.outChannels() / conv.groups(), conv.bias());
        } else if (layer instanceof Layer.DecomposedConv2d conv) {
            decomposedConstants(i, in, conv);
        } else if (layer instanceof Layer.BatchNorm bn) {
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
        } else if (layer instanceof Layer.Relu) {
            for (int c = 0; c < size; c++) {
                is[c] = constant[in][c];
                v[c] = is[c] ? Math.max(0f, value[in][c]) : 0f;
            }
        } else if (layer instanceof Layer.Pool pool) {
            boolean average = pool.kind() == Layer.PoolKind.AVG;
            int window = pool.kernel() * pool.kernel();
            for (int c = 0; c < size; c++) {
                // padded zeros enter an average, so only a zero constant survives padded average pooling
                is[c] = constant[in][c] && (!average || pool.padding() == 0 || value[in][c] == 0f);
                v[c] = !is[c] ? 0f : average ? mean(value[in][c], window) : value[in][c];
            }
        } else if (layer instanceof Layer.GlobalAvgPool) {
            int plane = shapes[in].height() * shapes[in].width();
            for (int c = 0; c < size; c++) {
                is[c] = constant[in][c];
                v[c] = is[c] ? mean(value[in][c], plane) : 0f;
            }
        } else if (layer instanceof Layer.Dropout) {
            System.arraycopy(constant[in], 0, is, 0, size);
            System.arraycopy(value[in], 0, v, 0, size);
        } else if (layer instanceof Layer.Flatten) {
            int plane = shapes[in].height() * shapes[in].width();
            for (int f = 0; f < size; f++) {
                is[f] = constant[in][f / plane];
                v[f] = value[in][f / plane];
            }
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

    private void convolutionConstants(int i, int in, int outChannels, int inPerGroup, int outPerGroup, boolean bias) {
        float[] b = bias ? parameter(i, ParameterNames.BIAS) : null;
        for (int n = 0; n < outChannels; n++) {
            int first = n / outPerGroup * inPerGroup;
            boolean is = true;
            for (int ci = 0; ci < inPerGroup && is; ci++) {
                is = !kernelNonZero[i][n * inPerGroup + ci] || constantZero(in, first + ci);
            }
            constant[i][n] = is;
            value[i][n] = is && bias ? b[n] : 0f;
        }
    }

    private void decomposedConstants(int i, int in, Layer.DecomposedConv2d conv) {
        float[] coefficients = parameter(i, ParameterNames.COEFFICIENTS);
        boolean[] usefulBasis = usefulBases(i, conv);
        float[] b = conv.bias() ? parameter(i, ParameterNames.BIAS) : null;
        int d = conv.bases();
        for (int n = 0; n < conv.outChannels(); n++) {
            boolean is = true;
            for (int c = 0; c < conv.inChannels() && is; c++) {
                if (constantZero(in, c)) {
                    continue;
                }
                for (int j = 0; j < d && is; j++) {
                    is = !usefulBasis[j] || coefficients[(n * conv.inChannels() + c) * d + j] == 0f;
                }
            }
            constant[i][n] = is;
            value[i][n] = is && conv.bias() ? b[n] : 0f;
        }
    }

    /** Which basis kernels of a decomposed layer have a non-zero value: an all-zero one contributes nothing. */
    private boolean[] usefulBases(int i, Layer.DecomposedConv2d conv) {
        float[] basis = parameter(i, ParameterNames.BASIS);
        int kk = conv.kernel() * conv.kernel();
        boolean[] useful = new boolean[conv.bases()];
        for (int j = 0; j < conv.bases(); j++) {
            useful[j] = !allZero(basis, j * kk, (j + 1) * kk);
        }
        return useful;
    }

    private static boolean allZero(float[] values, int from, int to) {
        for (int k = from; k < to; k++) {
            if (values[k] != 0f) {
                return false;
            }
        }
        return true;
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
            Layer layer = layers.get(i);
            if (layer instanceof Layer.Input || passesChannels(layer) || layer instanceof Layer.Add) {
                continue;
            }
            int in = input(i);
            boolean[] needed = need[group[in]];
            if (layer instanceof Layer.Flatten) {
                if (kind[group[i]] != Kind.DERIVED) {
                    Arrays.fill(needed, true);
                }
            } else if (layer instanceof Layer.Conv2d conv) {
                convolutionNeeds(i, in, conv, needed);
            } else if (layer instanceof Layer.DecomposedConv2d conv) {
                decomposedNeeds(i, in, conv, needed);
            } else if (layer instanceof Layer.Linear) {
                int plane = shapes[in].height() * shapes[in].width();
                for (int f = 0; f < columnNonZero[i].length; f++) {
                    if (columnNonZero[i][f] && !constantZero(in, f / plane)) {
                        needed[f / plane] = true;
                    }
                }
            }
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

    private void convolutionNeeds(int i, int in, Layer.Conv2d conv, boolean[] needed) {
        if (conv.groups() > 1) {
            Arrays.fill(needed, true);
            return;
        }
        int inputs = conv.inChannels();
        for (int c = 0; c < inputs; c++) {
            if (needed[c] || constantZero(in, c)) {
                continue;
            }
            for (int n = 0; n < conv.outChannels(); n++) {
                if (kernelNonZero[i][n * inputs + c] && kept(i, n)) {
                    needed[c] = true;
                    break;
                }
            }
        }
    }

    private void decomposedNeeds(int i, int in, Layer.DecomposedConv2d conv, boolean[] needed) {
        float[] coefficients = parameter(i, ParameterNames.COEFFICIENTS);
        int d = conv.bases();
        for (int c = 0; c < conv.inChannels(); c++) {
            if (needed[c] || constantZero(in, c)) {
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
        float[] coefficients = parameter(i, ParameterNames.COEFFICIENTS);
        boolean[] useful = usefulBases(i, conv);
        int in = input(i);
        int d = conv.bases();
        boolean[] used = new boolean[d];
        for (int n = 0; n < conv.outChannels(); n++) {
            if (!kept(i, n)) {
                continue;
            }
            for (int c = 0; c < conv.inChannels(); c++) {
                if (!kept(in, c) || constantZero(in, c)) {
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
        List<LayerPlan> plans = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer instanceof Layer.Conv2d conv) {
                plans.add(new LayerPlan(conv.name(), selection(i, conv.outChannels()),
                        selection(input(i), conv.inChannels()), Selection.empty()));
            } else if (layer instanceof Layer.DecomposedConv2d conv) {
                List<Integer> kept = new ArrayList<>();
                for (int j = 0; j < conv.bases(); j++) {
                    if (bases[i][j]) {
                        kept.add(j);
                    }
                }
                plans.add(new LayerPlan(conv.name(), selection(i, conv.outChannels()),
                        selection(input(i), conv.inChannels()), new Selection(conv.bases(), kept)));
            } else if (layer instanceof Layer.BatchNorm bn) {
                Selection channels = selection(i, bn.channels());
                plans.add(new LayerPlan(bn.name(), channels, channels, Selection.empty()));
            } else if (layer instanceof Layer.Linear linear) {
                int in = input(i);
                int plane = shapes[in].height() * shapes[in].width();
                List<Integer> features = new ArrayList<>();
                for (int f = 0; f < linear.inFeatures(); f++) {
                    if (kept(in, f / plane)) {
                        features.add(f);
                    }
                }
                plans.add(new LayerPlan(linear.name(), Selection.all(linear.outFeatures()),
                        new Selection(linear.inFeatures(), features), Selection.empty()));
            }
        }
        return new ShrinkPlan(model.network().name(), plans);
    }
}
