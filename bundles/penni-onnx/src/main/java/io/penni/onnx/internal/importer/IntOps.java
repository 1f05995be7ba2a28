package io.penni.onnx.internal.importer;

import java.util.Arrays;

import io.penni.onnx.internal.proto.OnnxIr.NodeProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;

/**
 * The integer arithmetic PyTorch emits to compute a {@code Pad} node's pads from {@code F.pad}'s list (opset 11
 * on): {@code ConstantOfShape}, {@code Reshape}, {@code Slice}, {@code Transpose} and {@code Cast} on small
 * integer constants, folded while the graph is read like the shape arithmetic of a flatten. Each refuses
 * activations, naming the node.
 */
final class IntOps {

    /** More values than any pads or shape computation holds; a file's claim beyond it is refused, not allocated. */
    static final long MAX_VALUES = 1 << 12;

    private static final String SUPPORTED = "supported: integer constants in the arithmetic computing a shape or a"
            + " Pad's pads";

    private final GraphImporter graph;

    IntOps(GraphImporter graph) {
        this.graph = graph;
    }

    /** A tensor of the given shape filled with the one value of the {@code value} attribute (default 0). */
    OnnxValue constantOfShape(NodeContext context, NodeProto node, NodeAttributes attributes) {
        long[] dims = graph.ints(context, node, 0, "shape").values();
        long count = 1;
        for (long d : dims) {
            if (d < 0 || d > MAX_VALUES || (count *= d) > MAX_VALUES) {
                throw context.error("shape " + Arrays.toString(dims) + " is not supported; " + SUPPORTED + " of at"
                        + " most " + MAX_VALUES + " values");
            }
        }
        OnnxValue value = attributes.tensor("value")
                .map(t -> TensorDecoder.decode(t, context.source() + ": node '" + context.name() + "' value"))
                .orElse(new OnnxValue.Ints(new long[] {1}, new long[] {0}));
        if (value instanceof OnnxValue.Ints v && v.values().length == 1) {
            long[] values = new long[(int) count];
            Arrays.fill(values, v.values()[0]);
            return new OnnxValue.Ints(dims, values);
        }
        if (value instanceof OnnxValue.Floats v && v.values().length == 1) {
            float[] values = new float[(int) count];
            Arrays.fill(values, v.values()[0]);
            return new OnnxValue.Floats(dims, values);
        }
        throw context.error("its value is " + value.describe() + "; supported: one number");
    }

    /** Reshape of an integer constant: 0 keeps the dimension (unless allowzero), -1 takes what is left. */
    OnnxValue reshape(NodeContext context, NodeProto node, NodeAttributes attributes, OnnxValue.Ints data) {
        long[] target = graph.ints(context, node, 1, "shape").values().clone();
        boolean allowZero = attributes.integer("allowzero", 0) != 0;
        int free = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                if (i >= data.dims().length) {
                    throw context.error("shape " + Arrays.toString(target) + " keeps a dimension " + data.describe()
                            + " does not have");
                }
                target[i] = data.dims()[i];
            }
            if (target[i] == -1 && free < 0) {
                free = i;
            } else if (target[i] < 0 || target[i] > MAX_VALUES) {
                throw context.error("shape " + Arrays.toString(target) + " does not fit " + data.describe());
            } else {
                known *= target[i];
            }
        }
        int count = data.values().length;
        if (free >= 0) {
            if (known == 0 || count % known != 0) {
                throw context.error("shape " + Arrays.toString(target) + " does not fit " + data.describe());
            }
            target[free] = count / known;
        } else if (known != count) {
            throw context.error("shape " + Arrays.toString(target) + " does not fit " + data.describe());
        }
        return new OnnxValue.Ints(target, data.values());
    }

    /** Slice of an integer constant, with ONNX's clamping of starts and ends and negative steps. */
    OnnxValue slice(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Ints data = integers(context, node);
        int rank = data.dims().length;
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (graph.opset < 10) {
            starts = attributes.integers("starts").orElseThrow(() -> context.error("lacks starts"));
            ends = attributes.integers("ends").orElseThrow(() -> context.error("lacks ends"));
            axes = attributes.integers("axes").orElse(null);
            steps = null;
        } else {
            starts = graph.ints(context, node, 1, "starts").values();
            ends = graph.ints(context, node, 2, "ends").values();
            axes = GraphImporter.hasInput(node, 3) ? graph.ints(context, node, 3, "axes").values() : null;
            steps = GraphImporter.hasInput(node, 4) ? graph.ints(context, node, 4, "steps").values() : null;
        }
        long[] first = new long[rank];
        long[] step = new long[rank];
        long[] dims = data.dims().clone();
        Arrays.fill(step, 1);
        if (ends.length != starts.length || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) {
            throw context.error("starts, ends, axes and steps differ in length");
        }
        for (int i = 0; i < starts.length; i++) {
            long a = axes == null ? i : axes[i] < 0 ? axes[i] + rank : axes[i];
            if (a < 0 || a >= rank) {
                throw context.error("axis " + (axes == null ? i : axes[i]) + " is not an axis of " + data.describe());
            }
            int axis = (int) a;
            long d = data.dims()[axis];
            long s = steps == null ? 1 : steps[i];
            if (s == 0) {
                throw context.error("has step 0");
            }
            long start = starts[i] < 0 ? starts[i] + d : starts[i];
            long end = ends[i] < 0 ? ends[i] + d : ends[i];
            start = s > 0 ? Math.max(0, Math.min(d, start)) : Math.max(0, Math.min(d - 1, start));
            end = s > 0 ? Math.max(0, Math.min(d, end)) : Math.max(-1, Math.min(d - 1, end));
            long span = s > 0 ? end - start : start - end;
            long magnitude = Math.abs(s);
            first[axis] = start;
            step[axis] = s;
            dims[axis] = span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
        }
        long[] strides = strides(data.dims());
        long start = 0;
        long[] jumps = new long[rank];
        for (int axis = 0; axis < rank; axis++) {
            start += first[axis] * strides[axis];
            jumps[axis] = step[axis] * strides[axis];
        }
        return new OnnxValue.Ints(dims, gather(data.values(), dims, start, jumps));
    }

    /** Transpose of an integer constant ({@code perm} defaults to reversing the axes). */
    OnnxValue transpose(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Ints data = integers(context, node);
        int rank = data.dims().length;
        long[] perm = attributes.integers("perm").orElse(null);
        if (perm == null) {
            perm = new long[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
        }
        long[] sorted = perm.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != i || sorted.length != rank) {
                throw context.error("perm " + Arrays.toString(perm) + " is not a permutation of the axes of "
                        + data.describe());
            }
        }
        long[] dims = new long[rank];
        long[] strides = strides(data.dims());
        long[] jumps = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = data.dims()[(int) perm[i]];
            jumps[i] = strides[(int) perm[i]];
        }
        return new OnnxValue.Ints(dims, gather(data.values(), dims, 0, jumps));
    }

    /** Cast of an integer constant to an integer type: the values are unchanged (they are small). */
    OnnxValue cast(NodeContext context, NodeProto node, NodeAttributes attributes) {
        OnnxValue.Ints data = integers(context, node);
        long to = attributes.integer("to", 0);
        if (to != TensorProto.DataType.INT64_VALUE && to != TensorProto.DataType.INT32_VALUE) {
            throw context.error("casts to data type " + to + "; supported: casting integer constants to int32 or"
                    + " int64");
        }
        return data;
    }

    private OnnxValue.Ints integers(NodeContext context, NodeProto node) {
        OnnxValue value = graph.operand(context, node, 0);
        if (value instanceof OnnxValue.Ints data) {
            return data;
        }
        throw context.error("its input '" + node.getInput(0) + "' is " + value.describe() + "; " + SUPPORTED);
    }

    /**
     * The values of a strided view: output index (i0, i1, ...) of {@code dims}, in row-major order, reads
     * {@code source[start + Σ i_axis · jumps[axis]]}.
     */
    private static long[] gather(long[] source, long[] dims, long start, long[] jumps) {
        long[] values = new long[Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact))];
        long[] index = new long[dims.length];
        for (int o = 0; o < values.length; o++) {
            long from = start;
            for (int axis = 0; axis < dims.length; axis++) {
                from += index[axis] * jumps[axis];
            }
            values[o] = source[(int) from];
            for (int axis = dims.length - 1; axis >= 0 && ++index[axis] == dims[axis]; axis--) {
                index[axis] = 0;
            }
        }
        return values;
    }

    private static long[] strides(long[] dims) {
        long[] strides = new long[dims.length];
        long stride = 1;
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            strides[axis] = stride;
            stride *= dims[axis];
        }
        return strides;
    }
}
