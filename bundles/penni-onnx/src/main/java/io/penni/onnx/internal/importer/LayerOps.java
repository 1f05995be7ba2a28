package io.penni.onnx.internal.importer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.Layer;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;

/** The operators that become IR layers: convolutions, batch norm, activations, pools, residual adds, linear layers. */
final class LayerOps {

    private final GraphImporter graph;

    LayerOps(GraphImporter graph) {
        this.graph = graph;
    }

    /** A Conv; a zero Pad directly before it adds its pads to the Conv's own. */
    OnnxValue conv(NodeContext context, NodeProto node, NodeAttributes attributes) {
        long[] padded = new long[4];
        OnnxValue.Activation x;
        if (graph.operand(context, node, 0) instanceof OnnxValue.Padded p) {
            x = p.source();
            padded = p.pads();
        } else {
            x = graph.map(context, node, 0);
        }
        OnnxValue.Floats w = graph.floats(context, node, 1, "weight");
        long group = attributes.integer("group", 1);
        long channels = x.dims()[0];
        if (w.dims().length != 4) {
            throw context.error("weight " + Arrays.toString(w.dims()) + " is not 4-D; supported: 2-D convolutions");
        }
        if (group < 1 || channels % group != 0 || w.dims()[0] % group != 0 || w.dims()[1] * group != channels) {
            throw context.error("weight " + Arrays.toString(w.dims()) + " with group " + group + " does not fit"
                    + " its input's " + channels + " channels");
        }
        long[] kernelShape = attributes.integers("kernel_shape").orElse(new long[] {w.dims()[2], w.dims()[3]});
        if (!Arrays.equals(kernelShape, new long[] {w.dims()[2], w.dims()[3]})) {
            throw context.error("kernel_shape " + Arrays.toString(kernelShape) + " differs from the weight's "
                    + Arrays.toString(w.dims()));
        }
        Windows windows = Windows.of(context, attributes, kernelShape, x.dims(), false, padded);
        int out = Math.toIntExact(w.dims()[0]);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(ParameterNames.WEIGHT, tensor(w));
        boolean bias = GraphImporter.hasInput(node, 2);
        if (bias) {
            tensors.put(ParameterNames.BIAS, vector(context, graph.floats(context, node, 2, "bias"), out, "bias"));
        }
        String name = graph.layerName(context);
        graph.add(new Layer.Conv2d(name, x.layer(), out, (int) channels, windows.kernel(), windows.stride(),
                windows.padding(), (int) group, bias), tensors);
        long[] hw = windows.output(x.dims());
        return new OnnxValue.Activation(name, new long[] {out, hw[0], hw[1]});
    }

    OnnxValue batchNorm(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.map(context, node, 0);
        if (attributes.integer("training_mode", 0) != 0) {
            throw context.error("training_mode 1 is not supported; export in inference mode (model.eval())");
        }
        int channels = (int) x.dims()[0];
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        String[] roles = {ParameterNames.GAMMA, ParameterNames.BETA, ParameterNames.RUNNING_MEAN,
            ParameterNames.RUNNING_VAR};
        String[] onnxRoles = {"scale", "bias", "mean", "var"};
        for (int i = 0; i < roles.length; i++) {
            tensors.put(roles[i], vector(context, graph.floats(context, node, i + 1, onnxRoles[i]), channels,
                    onnxRoles[i]));
        }
        // ONNX's momentum weighs the running statistic, the IR's (like PyTorch's) the newest batch
        double momentum = 1 - attributes.real("momentum", 0.9f);
        String name = graph.layerName(context);
        graph.add(new Layer.BatchNorm(name, x.layer(), channels, attributes.real("epsilon", 1e-5f),
                Math.max(0, Math.min(1, momentum))), tensors);
        return new OnnxValue.Activation(name, x.dims());
    }

    OnnxValue relu(NodeContext context, NodeProto node) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        String name = graph.layerName(context);
        graph.add(new Layer.Relu(name, x.layer()), Map.of());
        return new OnnxValue.Activation(name, x.dims());
    }

    /**
     * Clip with min 0 is a ReLU: without a max a plain one, with a positive finite max a bounded one (ReLU6 is
     * Clip(0, 6)). Any other clamp has no IR layer.
     */
    OnnxValue clip(NodeContext context, NodeProto node, NodeAttributes attributes) {
        float min;
        float max;
        if (graph.opset < 11) {
            min = attributes.real("min", -Float.MAX_VALUE);
            max = attributes.real("max", Float.MAX_VALUE);
        } else {
            min = GraphImporter.hasInput(node, 1) ? scalar(context, graph.floats(context, node, 1, "min")) : -Float.MAX_VALUE;
            max = GraphImporter.hasInput(node, 2) ? scalar(context, graph.floats(context, node, 2, "max")) : Float.MAX_VALUE;
        }
        if (min != 0 || !(max > 0)) {
            throw context.error("Clip to [" + min + ", " + (max < Float.MAX_VALUE ? max : "inf") + "] has no IR"
                    + " layer; supported: Clip with min 0 and a positive max or none (ReLU6, ReLU)");
        }
        if (max >= Float.MAX_VALUE || Float.isInfinite(max)) {
            return relu(context, node);
        }
        OnnxValue.Activation x = graph.activation(context, node, 0);
        String name = graph.layerName(context);
        graph.add(new Layer.ClippedRelu(name, x.layer(), max), Map.of());
        return new OnnxValue.Activation(name, x.dims());
    }

    OnnxValue pool(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.map(context, node, 0);
        long[] kernelShape = attributes.integers("kernel_shape")
                .orElseThrow(() -> context.error("lacks kernel_shape"));
        if (attributes.integer("storage_order", 0) != 0) {
            throw context.error("storage_order 1 is not supported; supported: 0 (row-major)");
        }
        Windows windows = Windows.of(context, attributes, kernelShape, x.dims(),
                attributes.integer("ceil_mode", 0) != 0, new long[4]);
        boolean max = node.getOpType().equals("MaxPool");
        if (!max && !windows.padding().isNone() && attributes.integer("count_include_pad", 0) == 0) {
            throw context.error("averages over padding without counting the padded zeros (count_include_pad 0);"
                    + " the IR's average pool counts them; supported: no padding, or count_include_pad 1"
                    + " (PyTorch's default)");
        }
        String name = graph.layerName(context);
        graph.add(new Layer.Pool(name, x.layer(), max ? Layer.PoolKind.MAX : Layer.PoolKind.AVG, windows.kernel(),
                windows.stride(), windows.padding()), Map.of());
        long[] hw = windows.output(x.dims());
        return new OnnxValue.Activation(name, new long[] {x.dims()[0], hw[0], hw[1]});
    }

    OnnxValue globalAveragePool(NodeContext context, NodeProto node) {
        OnnxValue.Activation x = graph.map(context, node, 0);
        String name = graph.layerName(context);
        graph.add(new Layer.GlobalAvgPool(name, x.layer()), Map.of());
        return new OnnxValue.Activation(name, new long[] {x.dims()[0], 1, 1});
    }

    /** Two activations of one shape: a residual join. An activation and a constant: a MatMul's bias. */
    OnnxValue add(NodeContext context, NodeProto node) {
        OnnxValue a = graph.operand(context, node, 0);
        OnnxValue b = graph.operand(context, node, 1);
        if (a instanceof OnnxValue.Activation x && b instanceof OnnxValue.Activation y) {
            if (!Arrays.equals(x.dims(), y.dims())) {
                throw context.error("adds " + x.describe() + " and " + y.describe() + "; supported: two activations"
                        + " of the same shape (no broadcasting)");
            }
            String name = graph.layerName(context);
            graph.add(new Layer.Add(name, List.of(x.layer(), y.layer())), Map.of());
            return new OnnxValue.Activation(name, x.dims());
        }
        int activation = a instanceof OnnxValue.Activation ? 0 : 1;
        OnnxValue.Activation x = graph.activation(context, node, activation);
        OnnxValue.Floats bias = graph.floats(context, node, 1 - activation, "addend");
        if (graph.layer(x.layer()) instanceof Layer.Linear linear && !linear.bias()
                && graph.readers(node.getInput(activation)) == 1) {
            Layer.Linear withBias = new Layer.Linear(linear.name(), linear.input(), linear.outFeatures(),
                    linear.inFeatures(), true);
            graph.replace(linear, withBias, Map.of(ParameterNames.BIAS,
                    vector(context, bias, linear.outFeatures(), "bias")));
            return x;
        }
        throw context.error("adds " + bias.describe() + " to " + x.describe() + "; supported: Add of two"
                + " activations of the same shape, or a bias added to a MatMul's output");
    }

    /** Y = alpha·A·B' + beta·C with A the activations: a linear layer (alpha and beta folded into its tensors). */
    OnnxValue gemm(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        if (attributes.integer("transA", 0) != 0) {
            throw context.error("transA 1 is not supported; supported: the activations as A, untransposed");
        }
        OnnxValue.Floats b = graph.floats(context, node, 1, "B");
        boolean transB = attributes.integer("transB", 0) != 0;
        Tensor weight = matrix(context, x, b, transB);
        scale(weight.data(), attributes.real("alpha", 1f));
        int out = weight.shape()[0];
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(ParameterNames.WEIGHT, weight);
        boolean bias = GraphImporter.hasInput(node, 2);
        if (bias) {
            Tensor c = vector(context, graph.floats(context, node, 2, "C"), out, "C");
            scale(c.data(), attributes.real("beta", 1f));
            tensors.put(ParameterNames.BIAS, c);
        }
        return linear(context, x, weight, tensors, bias);
    }

    /** A·B with A the activations and B a constant [in, out]: a linear layer without bias until an Add gives one. */
    OnnxValue matMul(NodeContext context, NodeProto node) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        Tensor weight = matrix(context, x, graph.floats(context, node, 1, "B"), false);
        return linear(context, x, weight, Map.of(ParameterNames.WEIGHT, weight), false);
    }

    OnnxValue dropout(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        float ratio = graph.opset < 12 ? attributes.real("ratio", 0.5f)
                : GraphImporter.hasInput(node, 1) ? scalar(context, graph.floats(context, node, 1, "ratio")) : 0.5f;
        if (GraphImporter.hasInput(node, 2)) {
            throw context.error("has a training_mode input; supported: Dropout exported in inference mode");
        }
        String name = graph.layerName(context);
        graph.add(new Layer.Dropout(name, x.layer(), ratio), Map.of());
        return new OnnxValue.Activation(name, x.dims());
    }

    private OnnxValue linear(NodeContext context, OnnxValue.Activation x, Tensor weight, Map<String, Tensor> tensors,
            boolean bias) {
        String name = graph.layerName(context);
        graph.add(new Layer.Linear(name, x.layer(), weight.shape()[0], weight.shape()[1], bias), tensors);
        return new OnnxValue.Activation(name, new long[] {weight.shape()[0]});
    }

    /** The IR's linear weight [out, in] from B: [out, in] when transposed (PyTorch's nn.Linear), else [in, out]. */
    private static Tensor matrix(NodeContext context, OnnxValue.Activation x, OnnxValue.Floats b, boolean transposed) {
        if (x.dims().length != 1) {
            throw context.error("multiplies " + x.describe() + "; supported: flattened activations [batch,"
                    + " features] (flatten first)");
        }
        if (b.dims().length != 2) {
            throw context.error("B " + Arrays.toString(b.dims()) + " is not a matrix");
        }
        int in = Math.toIntExact(transposed ? b.dims()[1] : b.dims()[0]);
        int out = Math.toIntExact(transposed ? b.dims()[0] : b.dims()[1]);
        if (in != x.dims()[0]) {
            throw context.error("B " + Arrays.toString(b.dims()) + (transposed ? " (transposed)" : "") + " takes "
                    + in + " features, its input has " + x.dims()[0]);
        }
        if (transposed) {
            return new Tensor(new int[] {out, in}, b.values().clone());
        }
        float[] w = new float[out * in];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                w[o * in + i] = b.values()[i * out + o];
            }
        }
        return new Tensor(new int[] {out, in}, w);
    }

    private static void scale(float[] values, float factor) {
        if (factor != 1f) {
            for (int i = 0; i < values.length; i++) {
                values[i] *= factor;
            }
        }
    }

    private static Tensor tensor(OnnxValue.Floats f) {
        return new Tensor(GraphImporter.intDims(f.dims()), f.values().clone());
    }

    /** A per-channel vector [n] (or [1, n]) as the IR's [n]. */
    private static Tensor vector(NodeContext context, OnnxValue.Floats f, int n, String role) {
        if (f.values().length != n || f.dims().length == 0 || f.dims()[f.dims().length - 1] != n) {
            throw context.error(role + " " + Arrays.toString(f.dims()) + " does not fit; supported: a vector of "
                    + n + " values");
        }
        return new Tensor(new int[] {n}, f.values().clone());
    }

    private static float scalar(NodeContext context, OnnxValue.Floats f) {
        if (f.values().length != 1) {
            throw context.error("expects a scalar, got " + f.describe());
        }
        return f.values()[0];
    }
}
