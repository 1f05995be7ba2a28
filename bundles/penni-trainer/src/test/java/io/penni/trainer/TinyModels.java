package io.penni.trainer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Padding;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;

/** Small hand-built networks with seeded random parameters, for tests. */
final class TinyModels {

    private TinyModels() {
    }

    /** input 2×5×5 → decomposed 3×3 conv (3 out, d=4, bias) → flatten → linear 75→4. */
    static Model decomposedLayer(long seed) {
        Network network = new Network("decomposed-layer", List.of(
                new Layer.Input("in", 2, 5, 5),
                new Layer.DecomposedConv2d("conv", "in", 3, 2, 3, 1, 1, 4, true),
                new Layer.Flatten("flat", "conv"),
                new Layer.Linear("fc", "flat", 4, 75, true)), "fc");
        return withRandomParameters(network, seed);
    }

    /** input 2×5×5 → decomposed 3×3 conv (3 out, d=4, bias) → ReLU bounded at 0.4 → flatten → linear 75→4. */
    static Model clipped(long seed) {
        Network network = new Network("clipped", List.of(
                new Layer.Input("in", 2, 5, 5),
                new Layer.DecomposedConv2d("conv", "in", 3, 2, 3, 1, 1, 4, true),
                new Layer.ClippedRelu("relu6", "conv", 0.4),
                new Layer.Flatten("flat", "relu6"),
                new Layer.Linear("fc", "flat", 4, 75, true)), "fc");
        return withRandomParameters(network, seed);
    }

    /**
     * input 2×6×6 → conv 4 (BN, ReLU) → decomposed conv 4 d=3 (BN) → add with the first block → ReLU →
     * global average pool → linear 4→3.
     */
    static Model residual(long seed) {
        Network network = new Network("residual", List.of(
                new Layer.Input("in", 2, 6, 6),
                new Layer.Conv2d("conv1", "in", 4, 2, 3, 1, 1, 1, false),
                new Layer.BatchNorm("bn1", "conv1", 4, 1e-5, 0.1),
                new Layer.Relu("relu1", "bn1"),
                new Layer.DecomposedConv2d("conv2", "relu1", 4, 4, 3, 1, 1, 3, false),
                new Layer.BatchNorm("bn2", "conv2", 4, 1e-5, 0.1),
                new Layer.Add("add", List.of("bn2", "relu1")),
                new Layer.Relu("relu2", "add"),
                new Layer.GlobalAvgPool("gap", "relu2"),
                new Layer.Linear("fc", "gap", 3, 4, true)), "fc");
        return withRandomParameters(network, seed);
    }

    /**
     * Windows padded differently per side [top, left, bottom, right], which SameDiff's layers cannot pad themselves:
     * input 2×5×5 → conv 3 3×3 [0, 0, 1, 1] → ReLU → decomposed 2×2 stride 2 d=2 [1, 0, 0, 1] → depthwise 3×3
     * [1, 1, 1, 0] → max pool 2×2 stride 1 [0, 0, 1, 1] → flatten → linear 8→3.
     */
    static Model padded(long seed) {
        Network network = new Network("padded", List.of(
                new Layer.Input("in", 2, 5, 5),
                new Layer.Conv2d("conv1", "in", 3, 2, 3, 1, new Padding(0, 0, 1, 1), 1, true),
                new Layer.Relu("relu1", "conv1"),
                new Layer.DecomposedConv2d("conv2", "relu1", 4, 3, 2, 2, new Padding(1, 0, 0, 1), 2, false),
                new Layer.Conv2d("conv3", "conv2", 4, 4, 3, 1, new Padding(1, 1, 1, 0), 4, true),
                new Layer.Pool("pool", "conv3", Layer.PoolKind.MAX, 2, 1, new Padding(0, 0, 1, 1)),
                new Layer.Flatten("flat", "pool"),
                new Layer.Linear("fc", "flat", 3, 8, true)), "fc");
        return withRandomParameters(network, seed);
    }

    /**
     * Strided and 1 × 1 convolutions (the 1 × 1 ones on the eager step's patch-matrix path) on odd sizes: input
     * 2×9×9 → conv 4 3×3 stride 1 pad 1 + bias → ReLU → conv 6 1×1 stride 2 + bias (5×5) → decomposed 6 3×3 stride
     * 2 pad 0 d=2 (2×2) → conv 5 1×1 + bias → flatten → linear 20→3.
     */
    static Model strided(long seed) {
        Network network = new Network("strided", List.of(
                new Layer.Input("in", 2, 9, 9),
                new Layer.Conv2d("conv1", "in", 4, 2, 3, 1, 1, 1, true),
                new Layer.Relu("relu1", "conv1"),
                new Layer.Conv2d("conv2", "relu1", 6, 4, 1, 2, 0, 1, true),
                new Layer.DecomposedConv2d("conv3", "conv2", 6, 6, 3, 2, new Padding(0, 0, 0, 0), 2, false),
                new Layer.Conv2d("conv4", "conv3", 5, 6, 1, 1, 0, 1, true),
                new Layer.Flatten("flat", "conv4"),
                new Layer.Linear("fc", "flat", 3, 20, true)), "fc");
        return withRandomParameters(network, seed);
    }

    /** input 1×8×8 → conv 4 + BN + ReLU → max pool 2 → dropout-free linear 64→3: a small dense classifier. */
    static Model dense(long seed) {
        Network network = new Network("dense", List.of(
                new Layer.Input("in", 1, 8, 8),
                new Layer.Conv2d("conv", "in", 4, 1, 3, 1, 1, 1, true),
                new Layer.BatchNorm("bn", "conv", 4, 1e-5, 0.1),
                new Layer.Relu("relu", "bn"),
                new Layer.Pool("pool", "relu", Layer.PoolKind.MAX, 2, 2, 0),
                new Layer.Flatten("flat", "pool"),
                new Layer.Linear("fc", "flat", 3, 64, true)), "fc");
        return withRandomParameters(network, seed);
    }

    static Model withRandomParameters(Network network, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> p = new HashMap<>();
        for (Layer layer : network.layers()) {
            if (layer instanceof Layer.Conv2d c) {
                p.put(ParameterNames.of(c.name(), ParameterNames.WEIGHT),
                        random(random, 0.5, c.outChannels(), c.inChannels() / c.groups(), c.kernel(), c.kernel()));
                if (c.bias()) {
                    p.put(ParameterNames.of(c.name(), ParameterNames.BIAS), random(random, 0.1, c.outChannels()));
                }
            } else if (layer instanceof Layer.DecomposedConv2d c) {
                p.put(ParameterNames.of(c.name(), ParameterNames.COEFFICIENTS),
                        random(random, 0.5, c.outChannels(), c.inChannels(), c.bases()));
                p.put(ParameterNames.of(c.name(), ParameterNames.BASIS),
                        random(random, 0.5, c.bases(), c.kernel() * c.kernel()));
                if (c.bias()) {
                    p.put(ParameterNames.of(c.name(), ParameterNames.BIAS), random(random, 0.1, c.outChannels()));
                }
            } else if (layer instanceof Layer.BatchNorm b) {
                Tensor gamma = random(random, 0.2, b.channels());
                for (int i = 0; i < gamma.size(); i++) {
                    gamma.data()[i] += 1f;
                }
                p.put(ParameterNames.of(b.name(), ParameterNames.GAMMA), gamma);
                p.put(ParameterNames.of(b.name(), ParameterNames.BETA), random(random, 0.1, b.channels()));
                p.put(ParameterNames.of(b.name(), ParameterNames.RUNNING_MEAN), Tensor.zeros(b.channels()));
                Tensor var = Tensor.zeros(b.channels());
                java.util.Arrays.fill(var.data(), 1f);
                p.put(ParameterNames.of(b.name(), ParameterNames.RUNNING_VAR), var);
            } else if (layer instanceof Layer.Linear l) {
                p.put(ParameterNames.of(l.name(), ParameterNames.WEIGHT),
                        random(random, 0.5, l.outFeatures(), l.inFeatures()));
                if (l.bias()) {
                    p.put(ParameterNames.of(l.name(), ParameterNames.BIAS), random(random, 0.1, l.outFeatures()));
                }
            }
        }
        return new Model(network, p);
    }

    static Tensor random(Random random, double scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (random.nextGaussian() * scale);
        }
        return t;
    }
}
