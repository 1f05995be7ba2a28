package io.penni.trainer;

import java.util.HashMap;
import java.util.Map;

import io.penni.api.model.Layer;
import io.penni.api.model.Padding;
import io.penni.api.model.Network;

/**
 * The per-image output size of every layer, as much as the graph builder needs to flatten. The full
 * shape inference and validation of a network lives in penni-model; this only follows the arithmetic.
 */
final class ActivationShapes {

    private final Map<String, int[]> chw = new HashMap<>();

    private ActivationShapes() {
    }

    static ActivationShapes of(Network network) {
        ActivationShapes s = new ActivationShapes();
        for (Layer layer : network.layers()) {
            s.chw.put(layer.name(), s.shapeOf(layer));
        }
        return s;
    }

    /** @return the layer's output shape per image, channels × height × width */
    long[] chw(String layer) {
        int[] shape = chw.get(layer);
        return new long[] {shape[0], shape[1], shape[2]};
    }

    /** @return values per image of the layer's output */
    long features(String layer) {
        int[] shape = chw.get(layer);
        return (long) shape[0] * shape[1] * shape[2];
    }

    private int[] in(String name) {
        int[] shape = chw.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("layer input '" + name + "' is not an earlier layer");
        }
        return shape;
    }

    /** The output size along an axis whose two ends add {@code padding} in all. */
    private static int out(int size, int kernel, int stride, int padding) {
        return (size + padding - kernel) / stride + 1;
    }

    private int[] shapeOf(Layer layer) {
        return layer.accept(new Layer.Visitor<>() {
            @Override
            public int[] visitInput(Layer.Input in) {
                return new int[] {in.channels(), in.height(), in.width()};
            }

            @Override
            public int[] visitConv2d(Layer.Conv2d c) {
                return spatial(in(c.input()), c.outChannels(), c.kernel(), c.stride(), c.padding());
            }

            @Override
            public int[] visitDecomposedConv2d(Layer.DecomposedConv2d c) {
                return spatial(in(c.input()), c.outChannels(), c.kernel(), c.stride(), c.padding());
            }

            @Override
            public int[] visitPool(Layer.Pool p) {
                int[] i = in(p.input());
                return spatial(i, i[0], p.kernel(), p.stride(), p.padding());
            }

            @Override
            public int[] visitGlobalAvgPool(Layer.GlobalAvgPool g) {
                return new int[] {in(g.input())[0], 1, 1};
            }

            @Override
            public int[] visitFlatten(Layer.Flatten f) {
                int[] i = in(f.input());
                return new int[] {i[0] * i[1] * i[2], 1, 1};
            }

            @Override
            public int[] visitLinear(Layer.Linear l) {
                return new int[] {l.outFeatures(), 1, 1};
            }

            /** An add keeps its first input's shape. */
            @Override
            public int[] visitAdd(Layer.Add a) {
                return in(a.inputs().get(0));
            }

            @Override
            public int[] visitBatchNorm(Layer.BatchNorm b) {
                return in(b.input());
            }

            @Override
            public int[] visitRelu(Layer.Relu r) {
                return in(r.input());
            }

            @Override
            public int[] visitClippedRelu(Layer.ClippedRelu r) {
                return in(r.input());
            }

            @Override
            public int[] visitDropout(Layer.Dropout d) {
                return in(d.input());
            }
        });
    }

    private static int[] spatial(int[] input, int channels, int kernel, int stride, Padding padding) {
        return new int[] {channels, out(input[1], kernel, stride, padding.height()),
            out(input[2], kernel, stride, padding.width())};
    }
}
