package io.penni.inference.cpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.ModelParameters;

/**
 * Stand-ins for PENNI-compressed models, for benchmarks and tests while no trained compressed model is at hand:
 * the same graph with each k×k convolution (k > 1, one group, not reading the network's input) replaced by a
 * decomposed one with random bases and coefficients, and then a chosen fraction of each layer's coefficients
 * set to zero at random. The values are not trained, but the shapes, the work and the sparsity are those of a
 * compressed model, which is all that speed and memory depend on.
 */
public final class SyntheticCompression {

    private SyntheticCompression() {
    }

    /**
     * Decomposes a model's convolutions with random factors.
     *
     * @param model a valid model
     * @param bases basis kernels per layer, d (at most k·k)
     * @param seed random seed
     * @return the decomposed model; every other layer and parameter unchanged
     */
    public static Model decompose(Model model, int bases, long seed) {
        ModelParameters.validate(model);
        Network network = model.network();
        String input = network.layers().get(0).name();
        List<Layer> layers = new ArrayList<>();
        Map<String, Tensor> parameters = new LinkedHashMap<>(model.parameters());
        for (Layer layer : network.layers()) {
            if (layer instanceof Layer.Conv2d c && c.kernel() > 1 && c.groups() == 1 && !c.input().equals(input)) {
                int d = Math.min(bases, c.kernel() * c.kernel());
                layers.add(new Layer.DecomposedConv2d(c.name(), c.input(), c.outChannels(), c.inChannels(), c.kernel(),
                        c.stride(), c.padding(), d, c.bias()));
                parameters.remove(ParameterNames.of(c.name(), ParameterNames.WEIGHT));
                int kk = c.kernel() * c.kernel();
                parameters.put(ParameterNames.of(c.name(), ParameterNames.BASIS),
                        normal(new int[] {d, kk}, Math.sqrt(1.0 / kk), seed, c.name() + ".basis"));
                parameters.put(ParameterNames.of(c.name(), ParameterNames.COEFFICIENTS),
                        normal(new int[] {c.outChannels(), c.inChannels(), d},
                                Math.sqrt(2.0 / ((double) c.inChannels() * d)), seed, c.name() + ".coefficients"));
            } else {
                layers.add(layer);
            }
        }
        return new Model(new Network(network.name(), layers, network.output()), parameters);
    }

    /**
     * Zeroes a fraction of every decomposed layer's coefficients, chosen at random.
     *
     * @param model a model with decomposed layers
     * @param fraction the fraction to zero in each layer, 0 to 1; each layer keeps at least one coefficient
     * @param seed random seed
     * @return the pruned model
     */
    public static Model prune(Model model, double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be between 0 and 1, was " + fraction);
        }
        Map<String, Tensor> parameters = new LinkedHashMap<>(model.parameters());
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.DecomposedConv2d d) {
                String name = ParameterNames.of(d.name(), ParameterNames.COEFFICIENTS);
                Tensor t = parameters.get(name);
                float[] values = t.data().clone();
                int zero = (int) Math.min(values.length - 1L, Math.round(fraction * values.length));
                int[] order = shuffled(values.length, new SplittableRandom(seed ^ name.hashCode()));
                for (int i = 0; i < zero; i++) {
                    values[order[i]] = 0f;
                }
                parameters.put(name, new Tensor(t.shape().clone(), values));
            }
        }
        return new Model(model.network(), parameters);
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static Tensor normal(int[] shape, double std, long seed, String name) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return t;
    }
}
