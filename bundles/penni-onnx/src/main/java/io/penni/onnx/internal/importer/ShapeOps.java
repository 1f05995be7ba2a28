package io.penni.onnx.internal.importer;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.LongStream;

import io.penni.api.model.Layer;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;

/**
 * The operators that change how an activation is viewed (Flatten, Reshape, Squeeze, Pad with zero pads) and the
 * shape arithmetic exporters emit to compute a flatten's target shape ({@code Constant}, {@code Shape},
 * {@code Gather}, {@code Unsqueeze}, {@code Concat}), folded to constants while the graph is read.
 */
final class ShapeOps {

    private static final String FLATTEN_ONLY = "supported: Flatten, Reshape and Squeeze that only flatten"
            + " [batch, C, H, W] to [batch, C·H·W] or drop dimensions of size 1";

    private final GraphImporter graph;

    ShapeOps(GraphImporter graph) {
        this.graph = graph;
    }

    OnnxValue flatten(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        long axis = attributes.integer("axis", 1);
        if (axis != 1 && axis != 1 - (x.dims().length + 1)) {
            throw context.error("axis " + axis + " does not keep the batch apart; " + FLATTEN_ONLY);
        }
        return flattened(context, x);
    }

    OnnxValue reshape(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        long[] target = graph.ints(context, node, 1, "shape").values();
        boolean allowZero = attributes.integer("allowzero", 0) != 0;
        long size = x.size();
        boolean batchFirst = target.length == 2 && (target[0] == OnnxValue.Ints.BATCH
                || (target[0] == 0 && !allowZero)
                || (graph.staticBatch.isPresent() && target[0] == graph.staticBatch.getAsLong()));
        boolean flat = batchFirst ? target[1] == -1 || target[1] == size : target.length == 2 && target[0] == -1
                && target[1] == size;
        if (!flat) {
            throw context.error("reshapes " + x.describe() + " to " + shape(target) + "; " + FLATTEN_ONLY);
        }
        return flattened(context, x);
    }

    OnnxValue squeeze(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        long[] axes = graph.opset < 13 ? attributes.integers("axes").orElse(null)
                : GraphImporter.hasInput(node, 1) ? graph.ints(context, node, 1, "axes").values() : null;
        int rank = x.dims().length + 1;
        boolean[] drop = new boolean[rank];
        if (axes == null) {
            for (int i = 1; i < rank; i++) {
                drop[i] = x.dims()[i - 1] == 1;
            }
        } else {
            for (long a : axes) {
                long axis = a < 0 ? a + rank : a;
                if (axis < 1 || axis >= rank || x.dims()[(int) axis - 1] != 1) {
                    throw context.error("squeezes axis " + a + " of " + x.describe() + "; " + FLATTEN_ONLY);
                }
                drop[(int) axis] = true;
            }
        }
        long[] dims = LongStream.range(1, rank).filter(i -> !drop[(int) i]).map(i -> x.dims()[(int) i - 1])
                .toArray();
        return new OnnxValue.Activation(x.layer(), dims);
    }

    /**
     * Pad in constant mode with zeros on height and width: the identity when all pads are zero (PyTorch emits one
     * before some average pools), else a {@link OnnxValue.Padded} map that the Conv reading it folds into its own
     * pads (PyTorch's {@code ZeroPad2d} and {@code padding='same'} with an even kernel export so). Other modes, a
     * non-zero constant, negative pads (a crop) and pads on the batch or channels are refused.
     */
    OnnxValue pad(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        String mode = attributes.text("mode", "constant");
        if (!mode.equals("constant")) {
            throw context.error("mode '" + mode + "' is not supported; supported: Pad in constant mode with zeros"
                    + " directly before a Conv");
        }
        float value;
        long[] pads;
        if (graph.opset < 11) {
            pads = attributes.integers("pads").orElse(new long[0]);
            value = attributes.real("value", 0f);
        } else {
            pads = graph.ints(context, node, 1, "pads").values();
            value = 0f;
            if (GraphImporter.hasInput(node, 2)) {
                float[] constant = graph.floats(context, node, 2, "constant_value").values();
                if (constant.length != 1) {
                    throw context.error("its constant_value has " + constant.length + " values; supported: one");
                }
                value = constant[0];
            }
            if (GraphImporter.hasInput(node, 3)) {
                pads = spread(context, pads, graph.ints(context, node, 3, "axes").values(), x.dims().length + 1);
            }
        }
        if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            return x;
        }
        if (value != 0f) {
            throw context.error("pads with the constant " + value + "; supported: Pad with zeros directly before a"
                    + " Conv (a max pool's padding belongs in its own pads)");
        }
        int rank = x.dims().length + 1;
        if (!x.isMap() || pads.length != 2 * rank) {
            throw context.error("pads " + Arrays.toString(pads) + " do not fit " + x.describe() + "; supported:"
                    + " pads of a feature map [batch, channels, height, width]");
        }
        if (Arrays.stream(pads).anyMatch(p -> p < 0 || p > Windows.MAX_PADDING)) {
            throw context.error("pads " + Arrays.toString(pads) + " are not supported; supported: pads from 0 to "
                    + Windows.MAX_PADDING + " (a negative pad crops)");
        }
        if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
            throw context.error("pads " + Arrays.toString(pads) + " pad the batch or channels; supported: pads of"
                    + " height and width only");
        }
        return new OnnxValue.Padded(x, new long[] {pads[2], pads[3], pads[6], pads[7]}, context.name());
    }

    /** Pads given for some axes (opset 18's axes input) as pads for all {@code rank} axes. */
    private static long[] spread(NodeContext context, long[] pads, long[] axes, int rank) {
        if (pads.length != 2 * axes.length) {
            throw context.error("has " + pads.length + " pads for " + axes.length + " axes; supported: two pads per"
                    + " axis");
        }
        long[] all = new long[2 * rank];
        for (int i = 0; i < axes.length; i++) {
            long axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (axis < 0 || axis >= rank) {
                throw context.error("axes " + Arrays.toString(axes) + " are not axes of a rank-" + rank + " tensor");
            }
            all[(int) axis] = pads[i];
            all[(int) axis + rank] = pads[i + axes.length];
        }
        return all;
    }

    OnnxValue constant(NodeContext context, NodeAttributes attributes) {
        String what = context.source() + ": node '" + context.name() + "' (Constant) value";
        if (attributes.has("value")) {
            return TensorDecoder.decode(attributes.tensor("value").orElseThrow(), what);
        }
        if (attributes.has("value_int")) {
            return new OnnxValue.Ints(new long[0], new long[] {attributes.integer("value_int", 0)});
        }
        if (attributes.has("value_ints")) {
            long[] v = attributes.integers("value_ints").orElseThrow();
            return new OnnxValue.Ints(new long[] {v.length}, v);
        }
        if (attributes.has("value_float")) {
            return new OnnxValue.Floats(new long[0], new float[] {attributes.real("value_float", 0)});
        }
        throw context.error("has no value, value_int, value_ints or value_float attribute; supported: numeric"
                + " constants");
    }

    /** The shape of an activation, its batch dimension symbolic. */
    OnnxValue shape(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Activation x = graph.activation(context, node, 0);
        long[] full = LongStream.concat(LongStream.of(OnnxValue.Ints.BATCH), Arrays.stream(x.dims())).toArray();
        int rank = full.length;
        int start = (int) clamp(attributes.integer("start", 0), rank);
        int end = (int) clamp(attributes.integer("end", rank), rank);
        long[] slice = Arrays.copyOfRange(full, start, Math.max(start, end));
        return new OnnxValue.Ints(new long[] {slice.length}, slice);
    }

    OnnxValue gather(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Ints data = graph.ints(context, node, 0, "data");
        OnnxValue.Ints indices = graph.ints(context, node, 1, "indices");
        if (data.dims().length != 1 || attributes.integer("axis", 0) != 0) {
            throw context.error("gathers from " + data.describe() + " on axis " + attributes.integer("axis", 0)
                    + "; supported: picking entries of a shape (1-D, axis 0)");
        }
        long[] picked = new long[indices.values().length];
        for (int i = 0; i < picked.length; i++) {
            long index = indices.values()[i] < 0 ? indices.values()[i] + data.values().length : indices.values()[i];
            if (index < 0 || index >= data.values().length) {
                throw context.error("index " + indices.values()[i] + " is outside " + data.describe());
            }
            picked[i] = data.values()[(int) index];
        }
        return new OnnxValue.Ints(indices.dims(), picked);
    }

    OnnxValue unsqueeze(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue value = graph.operand(context, node, 0);
        if (!(value instanceof OnnxValue.Ints data)) {
            throw context.error("unsqueezes " + value.describe() + "; supported: Unsqueeze in the shape arithmetic"
                    + " of a flatten");
        }
        long[] axes = graph.opset < 13 ? attributes.integers("axes").orElseThrow(() -> context.error("lacks axes"))
                : graph.ints(context, node, 1, "axes").values();
        int rank = data.dims().length + axes.length;
        long[] dims = new long[rank];
        Arrays.fill(dims, -1);
        for (long a : axes) {
            long axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank || dims[(int) axis] == 1) {
                throw context.error("axes " + Arrays.toString(axes) + " do not fit " + data.describe());
            }
            dims[(int) axis] = 1;
        }
        for (int i = 0, from = 0; i < rank; i++) {
            if (dims[i] == -1) {
                dims[i] = data.dims()[from++];
            }
        }
        return new OnnxValue.Ints(dims, data.values());
    }

    OnnxValue concat(NodeContext context, NodeProto node, NodeAttributes attributes) {
        for (int i = 0; i < node.getInputCount(); i++) {
            if (graph.operand(context, node, i) instanceof OnnxValue.Activation a) {
                throw context.error("concatenates activations (" + a.describe() + "); the IR has no concatenation"
                        + " layer (Inception, SqueezeNet, DenseNet blocks); supported: Concat in the shape arithmetic"
                        + " of a flatten");
            }
        }
        LongStream joined = LongStream.empty();
        for (int i = 0; i < node.getInputCount(); i++) {
            OnnxValue.Ints part = graph.ints(context, node, i, "input " + (i + 1));
            if (part.dims().length != 1 || (attributes.integer("axis", 0) != 0 && attributes.integer("axis", 0) != -1)) {
                throw context.error("concatenates " + part.describe() + "; supported: joining 1-D shapes");
            }
            joined = LongStream.concat(joined, Arrays.stream(part.values()));
        }
        long[] values = joined.toArray();
        return new OnnxValue.Ints(new long[] {values.length}, values);
    }

    /**
     * An activation as [batch, features]: a Flatten layer for a feature map larger than 1×1; the same values
     * otherwise (a C×1×1 map, e.g. after global average pooling, already is its flattening in the IR).
     */
    private OnnxValue flattened(NodeContext context, OnnxValue.Activation x) {
        if (!x.isMap() || x.dims()[1] * x.dims()[2] == 1) {
            return new OnnxValue.Activation(x.layer(), new long[] {x.size()});
        }
        String name = graph.layerName(context);
        graph.add(new Layer.Flatten(name, x.layer()), Map.of());
        return new OnnxValue.Activation(name, new long[] {x.size()});
    }

    private static long clamp(long index, int rank) {
        return Math.max(0, Math.min(rank, index < 0 ? index + rank : index));
    }

    private static String shape(long[] target) {
        return Arrays.stream(target).mapToObj(v -> v == OnnxValue.Ints.BATCH ? "batch" : Long.toString(v))
                .toList().toString();
    }
}
